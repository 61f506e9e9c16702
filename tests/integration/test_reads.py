"""Positions, balances, risk figures and paged history on SQLite, PostgreSQL and the fakes.

Every expected figure is worked out by hand in the comment next to it. 2026-12-07 is a
Monday; the risk schedule of most cases resets at 17:00 UTC with weeks from Sunday.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest

from gal_friday.domain import Fill, InvalidValueError, Order, PortfolioSnapshot, Trade, TradeSide
from gal_friday.domain.enums import OrderType
from gal_friday.domain.ledger import LedgerEntry
from gal_friday.domain.paging import HistoryFilter, HistoryOrder
from gal_friday.domain.positions import Holding
from gal_friday.domain.risk import ResetSchedule, StreakKind
from gal_friday.persistence.bootstrap import unit_of_work_factory
from gal_friday.persistence.in_memory import InMemoryUnitOfWork
from gal_friday.persistence.repositories import risk as risk_repository
from gal_friday.services.history import count_history, fills_page, orders_page, trades_page
from gal_friday.services.ports import UnitOfWorkFactory
from gal_friday.services.positions import read_balances, read_positions
from gal_friday.services.risk import current_streak, realized_pnl, risk_figures
from tests.support import databases

EVENING_SUNDAY = ResetSchedule(reset_hour=17, week_start="sun")
NOW = datetime(2026, 12, 7, 16, tzinfo=UTC)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres), "memory"])
def factory(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[UnitOfWorkFactory]:
    """A unit-of-work factory on a fresh database of each backend, and on the fakes."""
    if request.param == "memory":
        yield InMemoryUnitOfWork()
        return
    template = request.getfixturevalue(f"{request.param}_template")
    with databases.fresh_database(request.param, template, tmp_path) as url:
        yield unit_of_work_factory(url)


def store(factory: UnitOfWorkFactory, **rows: list[Any]) -> None:
    with factory() as uow:
        for order in rows.get("orders", []):
            uow.orders.add(order)
        uow.trades.add_all(rows.get("trades", []))
        uow.ledger.add_all(rows.get("ledger", []))
        for snapshot in rows.get("snapshots", []):
            uow.snapshots.add(snapshot)
        uow.commit()


def fill(
    fill_id: str, pair: str, side: str, qty: str, price: str, at: datetime, **extra: Any
) -> Fill:
    values: dict[str, Any] = {
        "fill_id": fill_id,
        "trading_pair": pair,
        "exchange": "kraken",
        "side": side,
        "quantity_filled": D(qty),
        "fill_price": D(price),
        "commission": D(extra.pop("fee", "0")),
        "commission_asset": extra.pop("fee_asset", pair.split("/")[1]),
        "filled_at": at,
    }
    return Fill(**values, **extra)


def order(exchange_order_id: str, fills: list[Fill], strategy: str | None = None) -> Order:
    made = Order.filled_by(fills, order_type=OrderType.MARKET, exchange_order_id=exchange_order_id)
    made.strategy_id = strategy
    return made


def trade(pair: str, side: TradeSide, entry: datetime, **values: Any) -> Trade:
    fields: dict[str, Any] = {
        "trading_pair": pair,
        "exchange": "kraken",
        "side": side,
        "entry_timestamp": entry,
        "quantity": D(values.pop("quantity", "1")),
        "average_entry_price": D(values.pop("price", "100")),
        "realized_pnl": D(values.pop("pnl", "0")),
        "open_quantity": D(values.pop("open", "0")),
    }
    exit_at = values.pop("exit", None)
    if exit_at is not None:
        fields["exit_timestamp"] = exit_at
        fields["average_exit_price"] = D(values.pop("exit_price", "100"))
    fields.update(values)
    return Trade(**fields)


def entry(
    txid: str | None, refid: str, type_: str, asset: str, amount: str, fee: str = "0", **more: Any
) -> LedgerEntry:
    return LedgerEntry(
        exchange="kraken",
        txid=txid,
        refid=refid,
        time=utc(2026, 11, 1),
        type=type_,
        asset=asset,
        amount=D(amount),
        fee=D(fee),
        balance=None,
        **more,
    )


# -- balances ----------------------------------------------------------------------------------


def test_balances_sum_fills_fees_and_the_ledger_rows_that_are_not_fills(factory):
    t0 = utc(2026, 11, 2)
    store(
        factory,
        orders=[
            order(
                "OA",
                [
                    fill("F1", "BTC/USD", "BUY", "0.4", "100", t0, fee="0.1"),
                    fill(
                        "F2", "BTC/USD", "BUY", "0.6", "110", t0 + timedelta(minutes=1), fee="0.2"
                    ),
                ],
            ),
            order(
                "OB",
                [
                    fill(
                        "F3",
                        "BTC/USD",
                        "SELL",
                        "0.5",
                        "120",
                        t0 + timedelta(minutes=2),
                        fee="0.001",
                        fee_asset="BTC",
                        extra_commissions={"USD": D("0.02")},  # a fee charged on both legs
                    )
                ],
            ),
            order(
                "OC",
                [fill("F4", "XRP/USD", "BUY", "100", "0.5", t0 + timedelta(minutes=3), fee="0.05")],
            ),
        ],
        ledger=[
            entry("L1", "R1", "deposit", "USD", "1000"),
            entry("L2", "R2", "withdrawal", "USD", "-100", "1"),  # -100 and its fee 1
            entry("L3", "R3", "staking", "XRP", "2"),  # income
            entry("L4", "R4", "earn", "XRP", "-50", subtype="allocation"),  # internal: XRP ...
            entry("L5", "R4", "earn", "XRP.F", "50", subtype="allocation"),  # ... to XRP.F
            entry("L6", "F1", "trade", "USD", "-40"),  # a leg of fill F1: already counted
            entry("L7", "F4", "adjustment", "XRP", "100"),  # its refid is a fill: not twice
            entry("L8", "R8", "rollover", "USD", "-3"),  # margin: not a holding
            entry(None, "R9", "deposit", "USD", "500"),  # pending: not credited yet
        ],
    )
    # BTC: 0.4 + 0.6 - 0.5 - 0.001 fee = 0.499
    # USD: -40 - 66 + 60 - 0.1 - 0.2 - 0.02 - 50 - 0.05 = -96.37; + 1000 - 101 = 802.63
    # XRP: 100 + 2 - 50 = 52; XRP.F: 50
    assert read_balances(factory) == [
        Holding("kraken", "BTC", D("0.499")),
        Holding("kraken", "USD", D("802.63")),
        Holding("kraken", "XRP", D(52)),
        Holding("kraken", "XRP.F", D(50)),
    ]
    assert read_balances(factory, exchange="binance") == []


# -- positions ---------------------------------------------------------------------------------


def open_and_closed_trades() -> list[Trade]:
    return [
        trade(
            "BTC/USD",
            TradeSide.LONG,
            utc(2026, 12, 1, 10),
            quantity="1",
            price="106",
            open="0.5",
            pnl="6.7",
        ),
        trade("ETH/USD", TradeSide.LONG, utc(2026, 12, 2), price="2000", open="1"),
        trade(
            "ETH/USD",
            TradeSide.LONG,
            utc(2026, 12, 3),
            quantity="3",
            price="2100",
            open="3",
            pnl="-1",
        ),
        trade(
            "DOGE/USD",
            TradeSide.SHORT,
            utc(2026, 12, 4),
            quantity="1000",
            price="0.1",
            open="1000",
            pnl="-0.2",
        ),
        # closed trades (risk figures below); a closed one that left dust is not a position
        trade("BTC/USD", TradeSide.LONG, utc(2026, 11, 30), exit=utc(2026, 11, 30, 18), pnl="5"),
        trade(
            "BTC/USD",
            TradeSide.LONG,
            utc(2026, 12, 1),
            exit=utc(2026, 12, 1, 16, 59),
            pnl="7",
            open="0.00000001",
        ),
        trade("BTC/USD", TradeSide.LONG, utc(2026, 12, 1), exit=utc(2026, 12, 1, 17), pnl="-3"),
        trade(
            "XRP/USD", TradeSide.LONG, utc(2026, 12, 6), exit=utc(2026, 12, 6, 16, 59, 59), pnl="-2"
        ),
        trade("BTC/USD", TradeSide.SHORT, utc(2026, 12, 6), exit=utc(2026, 12, 6, 17), pnl="-4"),
        trade("XRP/USD", TradeSide.LONG, utc(2026, 12, 6), exit=utc(2026, 12, 6, 17), pnl="-1.5"),
        trade("ETH/BTC", TradeSide.LONG, utc(2026, 12, 7), exit=utc(2026, 12, 7, 15), pnl="-0.001"),
    ]


def test_positions_from_the_open_trades_marked_where_a_price_is_given(factory):
    store(factory, trades=open_and_closed_trades())
    btc, doge, eth = read_positions(factory, {"BTC/USD": D(120), "DOGE/USD": D("0.08")})
    # BTC: 0.5 held from 106, marked 120: (120 - 106) x 0.5 = 7
    assert (btc.side, btc.quantity, btc.average_entry_price) == (TradeSide.LONG, D("0.5"), D(106))
    assert (btc.realized_pnl, btc.unrealized_pnl, btc.opened_at) == (
        D("6.7"),
        D(7),
        utc(2026, 12, 1, 10),
    )
    # DOGE: short 1000 from 0.1 marked 0.08: +20
    assert (doge.signed_quantity, doge.unrealized_pnl, doge.market_value) == (
        D(-1000),
        D(20),
        D(80),
    )
    # ETH: two open lots, (1 x 2000 + 3 x 2100) / 4 = 2075, no mark
    assert (eth.quantity, eth.average_entry_price, eth.realized_pnl) == (D(4), D(2075), D(-1))
    assert (eth.open_trades, eth.opened_at, eth.unrealized_pnl) == (2, utc(2026, 12, 2), None)
    assert [p.trading_pair for p in read_positions(factory, trading_pair="ETH/USD")] == ["ETH/USD"]


# -- risk figures ------------------------------------------------------------------------------


def test_realized_pnl_by_exit_time_in_half_open_windows(factory):
    store(factory, trades=open_and_closed_trades())
    # [Dec 1 17:00, Dec 6 17:00): -3 (BTC/USD) and -2 (XRP/USD); the -4 at 17:00 is after it
    window = realized_pnl(factory, utc(2026, 12, 1, 17), utc(2026, 12, 6, 17))
    assert dict(window.by_pair) == {"BTC/USD": (D(-3), 1), "XRP/USD": (D(-2), 1)}
    assert (window.by_quote, window.trades) == ({"USD": D(-5)}, 2)
    everything = realized_pnl(factory)
    # +5 + 7 - 3 - 4 = 5 on BTC/USD; -2 - 1.5 on XRP/USD; -0.001 BTC on ETH/BTC
    assert everything.by_quote == {"BTC": D("-0.001"), "USD": D("1.5")}
    assert everything.trades == 7
    assert realized_pnl(factory, trading_pair="XRP/USD").by_quote == {"USD": D("-3.5")}


def test_risk_figures_with_reset_hour_17_and_weeks_from_sunday(factory):
    store(
        factory,
        trades=open_and_closed_trades(),
        snapshots=[
            PortfolioSnapshot(snapshot_timestamp=utc(2026, 12, 6, 16), total_equity=D(1200)),
            PortfolioSnapshot(snapshot_timestamp=utc(2026, 12, 6, 18), total_equity=D(1000)),
            PortfolioSnapshot(snapshot_timestamp=utc(2026, 12, 7, 10), total_equity=D(900)),
            PortfolioSnapshot(snapshot_timestamp=utc(2026, 12, 7, 15), total_equity=D(950)),
        ],
    )
    marks = {"BTC/USD": D(120), "DOGE/USD": D("0.08")}
    figures = risk_figures(factory, at=NOW, schedule=EVENING_SUNDAY, marks=marks)
    # day and week from Sunday Dec 6 17:00: -4, -1.5 (USD) and -0.001 (BTC)
    assert (figures.day.since, figures.day.until) == (utc(2026, 12, 6, 17), utc(2026, 12, 7, 17))
    assert (figures.day.by_quote, figures.day.trades) == ({"BTC": D("-0.001"), "USD": D("-5.5")}, 3)
    assert figures.week.by_quote == figures.day.by_quote
    assert figures.week.until == utc(2026, 12, 13, 17)
    # month from Dec 1 17:00: -3 - 2 - 4 - 1.5 = -10.5 USD; the +7 at 16:59 was November's
    assert (figures.month.since, figures.month.until) == (utc(2026, 12, 1, 17), utc(2027, 1, 1, 17))
    assert (figures.month.by_quote, figures.month.trades) == (
        {"BTC": D("-0.001"), "USD": D("-10.5")},
        5,
    )
    # five losses, newest first, back to Dec 1 17:00; the +7 before them ends the run
    streak = figures.streak
    assert (streak.kind, streak.length) == (StreakKind.LOSSES, 5)
    assert (streak.since, streak.last_exit) == (utc(2026, 12, 1, 17), utc(2026, 12, 7, 15))
    assert dict(streak.pnl) == {"BTC": D("-0.001"), "USD": D("-10.5")}
    # exposure: BTC 0.5 x 120 = 60, DOGE 1000 x 0.08 = 80; ETH/USD held without a mark
    assert [(p.trading_pair, p.value) for p in figures.exposure.pairs] == [
        ("BTC/USD", D(60)),
        ("DOGE/USD", D(80)),
    ]
    assert (dict(figures.exposure.totals), figures.exposure.unmarked) == (
        {"USD": D(140)},
        ("ETH/USD",),
    )
    # drawdowns over the snapshots since Sunday 17:00: 1000 -> 900 is 10 %
    assert figures.drawdowns is not None
    assert (figures.drawdowns.daily_pct, figures.drawdowns.weekly_pct) == (D(10), D(10))
    assert figures.drawdowns.snapshots == 3

    default = risk_figures(factory, at=NOW)
    # UTC day and ISO week from Monday Dec 7 00:00: only the -0.001 BTC; month from Dec 1 00:00
    # adds the +7 of Dec 1 16:59: 7 - 10.5 = -3.5 USD
    assert (default.day.by_quote, default.week.by_quote) == (
        {"BTC": D("-0.001")},
        {"BTC": D("-0.001")},
    )
    assert (default.month.by_quote, default.month.trades) == (
        {"BTC": D("-0.001"), "USD": D("-3.5")},
        6,
    )
    assert default.drawdowns is not None and default.drawdowns.daily_pct == D(0)
    assert default.exposure.unmarked == ("BTC/USD", "DOGE/USD", "ETH/USD")


def test_the_streak_pages_through_ties_in_exit_time(factory, monkeypatch):
    monkeypatch.setattr(risk_repository, "STREAK_PAGE", 2)
    at = utc(2026, 12, 7, 12)
    trades = [
        trade(
            "BTC/USD",
            TradeSide.LONG,
            at - timedelta(hours=9),
            exit=at - timedelta(hours=8),
            pnl="1",
        )
    ]
    # seven losses, exits in pairs sharing a time: pages of 2 cut through the ties
    for n in range(7):
        exit_at = at - timedelta(hours=3 - n // 2)
        trades.append(
            trade(
                "BTC/USD",
                TradeSide.LONG,
                exit_at - timedelta(minutes=5),
                exit=exit_at,
                pnl=f"-{n + 1}",
            )
        )
    store(factory, trades=trades)
    streak = current_streak(factory)
    assert (streak.kind, streak.length, dict(streak.pnl)) == (StreakKind.LOSSES, 7, {"USD": D(-28)})
    assert streak.since == at - timedelta(hours=3)


# -- paged history -----------------------------------------------------------------------------

T1 = utc(2026, 10, 1, 12)


def history() -> list[Order]:
    same = T1 + timedelta(minutes=1)
    return [
        order(
            "O1",
            [
                fill("P1", "BTC/USD", "BUY", "1", "100", same),
                fill("P2", "BTC/USD", "BUY", "1", "100", same),
                fill("P3", "BTC/USD", "BUY", "1", "100", T1 + timedelta(minutes=2)),
            ],
            "s1",
        ),
        order(
            "O2",
            [
                fill("P4", "BTC/USD", "SELL", "1", "101", same),
                fill("P5", "BTC/USD", "SELL", "1", "101", T1 + timedelta(minutes=2)),
                fill("P6", "BTC/USD", "SELL", "1", "101", T1 + timedelta(minutes=3)),
            ],
            "s2",
        ),
        order(
            "O3",
            [
                fill("P7", "XRP/USD", "BUY", "5", "1", same),
                fill("P8", "XRP/USD", "BUY", "5", "1", T1 + timedelta(minutes=3)),
            ],
        ),
    ]


def walk(
    read: Callable[..., Any], size: int, order: HistoryOrder, filters: HistoryFilter
) -> list[Any]:
    seen: list[Any] = []
    cursor = None
    while True:
        page = read(filters, order=order, limit=size, cursor=cursor)
        assert len(page.items) <= size
        seen.extend(page.items)
        if page.next_cursor is None:
            return seen
        assert len(page.items) == size
        cursor = page.next_cursor


@pytest.mark.parametrize("size", [1, 2, 3, 100])
def test_fill_pages_visit_every_row_once_in_both_orders(factory, size):
    store(factory, orders=history())
    read = lambda *a, **k: fills_page(factory, *a, **k)  # noqa: E731
    everything = HistoryFilter()
    newest = walk(read, size, HistoryOrder.NEWEST_FIRST, everything)
    oldest = walk(read, size, HistoryOrder.OLDEST_FIRST, everything)
    assert sorted(f.fill_id for f in newest) == [f"P{n}" for n in range(1, 9)]
    assert [f.fill_id for f in oldest] == [f.fill_id for f in reversed(newest)]
    times = [f.filled_at for f in oldest]
    assert times == sorted(times)
    assert [f.fill_id for f in oldest][-2:] in (["P6", "P8"], ["P8", "P6"])  # the last minute
    pair = walk(read, size, HistoryOrder.OLDEST_FIRST, HistoryFilter(trading_pair="XRP/USD"))
    assert [f.fill_id for f in pair] == ["P7", "P8"]
    # [minute 1, minute 3): the six fills of minutes 1 and 2
    window = HistoryFilter(since=T1 + timedelta(minutes=1), until=T1 + timedelta(minutes=3))
    assert sorted(f.fill_id for f in walk(read, size, HistoryOrder.NEWEST_FIRST, window)) == [
        "P1",
        "P2",
        "P3",
        "P4",
        "P5",
        "P7",
    ]
    # a fill's strategy is its order's
    s2 = walk(read, size, HistoryOrder.NEWEST_FIRST, HistoryFilter(strategy_id="s2"))
    assert [f.fill_id for f in s2] == ["P6", "P5", "P4"]


def test_counts_and_order_and_trade_pages(factory):
    store(factory, orders=history(), trades=open_and_closed_trades())
    assert count_history(factory, "fills") == 8
    assert count_history(factory, "fills", HistoryFilter(trading_pair="BTC/USD")) == 6
    assert count_history(factory, "orders", HistoryFilter(strategy_id="s1")) == 1
    page = fills_page(factory, HistoryFilter(trading_pair="BTC/USD"), limit=4, with_count=True)
    assert (len(page.items), page.total) == (4, 6) and page.next_cursor is not None
    assert fills_page(factory, limit=4).total is None
    orders = walk(
        lambda *a, **k: orders_page(factory, *a, **k), 2, HistoryOrder.OLDEST_FIRST, HistoryFilter()
    )
    assert sorted(o.exchange_order_id for o in orders) == ["O1", "O2", "O3"]
    assert {o.exchange_order_id: len(o.fills) for o in orders} == {"O1": 3, "O2": 3, "O3": 2}
    trades = walk(
        lambda *a, **k: trades_page(factory, *a, **k), 3, HistoryOrder.NEWEST_FIRST, HistoryFilter()
    )
    assert len(trades) == 11 and len({t.trade_id for t in trades}) == 11
    entries = [t.entry_timestamp for t in trades]
    assert entries == sorted(entries, reverse=True)  # three trades entered at Dec 6 00:00 (ties)
    assert (
        count_history(
            factory, "trades", HistoryFilter(trading_pair="BTC/USD", since=utc(2026, 12, 1))
        )
        == 4
    )


def test_a_cursor_of_another_read_or_order_is_refused(factory):
    store(factory, orders=history())
    page = fills_page(factory, limit=2)
    with pytest.raises(InvalidValueError, match="cursor"):
        fills_page(factory, order=HistoryOrder.OLDEST_FIRST, cursor=page.next_cursor)
    with pytest.raises(InvalidValueError, match="cursor"):
        orders_page(factory, cursor=page.next_cursor)
    with pytest.raises(InvalidValueError, match="cursor"):
        fills_page(factory, cursor="garbage")
    with pytest.raises(InvalidValueError, match="kind"):
        count_history(factory, "candles")
