"""Streaks, exposure, the positions fold and history cursors (domain/risk.py, positions.py, paging.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

import pytest

from gal_friday.domain import InvalidValueError, Side, TradeSide
from gal_friday.domain.paging import Cursor, HistoryFilter, HistoryOrder, page_size
from gal_friday.domain.positions import (
    FeeFlow,
    Holding,
    LedgerFlow,
    OpenLot,
    PairFlow,
    holdings,
    positions,
    unrealized_pnl,
)
from gal_friday.domain.risk import ClosedResult, StreakKind, current_streak, exposure

T0 = datetime(2026, 12, 7, tzinfo=UTC)


def closed(minutes: int, pnl: str, pair: str = "BTC/USD") -> ClosedResult:
    return ClosedResult(pair, T0 - timedelta(minutes=minutes), D(pnl))


def test_a_streak_counts_the_newest_trades_of_one_sign_and_stops_at_the_other():
    streak = current_streak(
        [
            closed(1, "-1"),
            closed(2, "-2.5", "ETH/BTC"),
            closed(3, "-0.5"),
            closed(4, "3"),
            closed(5, "-9"),
        ]
    )
    assert (streak.kind, streak.length) == (StreakKind.LOSSES, 3)
    assert (streak.since, streak.last_exit) == (
        T0 - timedelta(minutes=3),
        T0 - timedelta(minutes=1),
    )
    assert dict(streak.pnl) == {"BTC": D("-2.5"), "USD": D("-1.5")}


def test_wins_a_zero_trade_and_no_trades():
    wins = current_streak([closed(1, "2"), closed(2, "0.01"), closed(3, "0"), closed(4, "5")])
    assert (wins.kind, wins.length, dict(wins.pnl)) == (StreakKind.WINS, 2, {"USD": D("2.01")})
    broken = current_streak([closed(1, "0"), closed(2, "-1")])  # breakeven ends any run
    assert (broken.kind, broken.length, broken.since) == (StreakKind.NONE, 0, None)
    assert current_streak([]).kind is StreakKind.NONE


def test_current_streak_stops_reading_at_the_first_trade_of_the_other_sign():
    read = []

    def newest_first():
        for n in range(1000):
            read.append(n)
            yield closed(n, "-1" if n < 3 else "1")

    assert current_streak(newest_first()).length == 3
    assert read == [0, 1, 2, 3]  # nothing after the trade that ended the run


def lot(pair: str, side: TradeSide, qty: str, price: str, pnl: str, minutes: int) -> OpenLot:
    return OpenLot("kraken", pair, side, D(qty), D(price), D(pnl), T0 + timedelta(minutes=minutes))


def test_positions_weigh_open_lots_and_mark_longs_and_shorts():
    lots = [
        lot("ETH/USD", TradeSide.LONG, "1", "2000", "0", 5),
        lot("ETH/USD", TradeSide.LONG, "3", "2100", "-1", 6),
        lot("DOGE/USD", TradeSide.SHORT, "1000", "0.1", "-0.2", 1),
        lot("BTC/USD", TradeSide.LONG, "0", "100", "0", 0),  # nothing left open: no position
    ]
    eth, doge = sorted(positions(lots, {"DOGE/USD": D("0.08")}), key=lambda p: p.trading_pair)[::-1]
    # ETH: (1 x 2000 + 3 x 2100) / 4 = 2075; realized -1; opened by the first lot
    assert (eth.quantity, eth.average_entry_price, eth.realized_pnl) == (D(4), D(2075), D(-1))
    assert (eth.opened_at, eth.open_trades, eth.unrealized_pnl) == (
        T0 + timedelta(minutes=5),
        2,
        None,
    )
    # DOGE short 1000 from 0.1, marked 0.08: (0.1 - 0.08) x 1000 = +20
    assert (doge.signed_quantity, doge.unrealized_pnl, doge.market_value) == (
        D(-1000),
        D(20),
        D(80),
    )
    assert unrealized_pnl(TradeSide.LONG, D("0.5"), D(106), D(120)) == D(7)


def test_positions_refuse_a_bad_mark_and_lots_on_both_sides():
    with pytest.raises(InvalidValueError, match=r"mark\[BTC/USD\]"):
        positions([], {"BTC/USD": D(0)})
    with pytest.raises(InvalidValueError, match="mark"):
        positions([], {"BTCUSD": D(1)})
    both = [
        lot("BTC/USD", TradeSide.LONG, "1", "1", "0", 0),
        lot("BTC/USD", TradeSide.SHORT, "1", "1", "0", 1),
    ]
    with pytest.raises(InvalidValueError, match="both sides"):
        positions(both)


def test_holdings_fold_pair_sums_fees_and_the_ledger_rows_that_are_not_fills():
    found = holdings(
        [
            PairFlow("kraken", "BTC/USD", Side.BUY, D(1), D(106)),
            PairFlow("kraken", "BTC/USD", Side.SELL, D("0.5"), D(60)),
        ],
        [FeeFlow("kraken", "USD", D("0.3")), FeeFlow("kraken", "BTC", D("0.001"))],
        [
            LedgerFlow("kraken", "USD", "deposit", None, True, D(1000), D(0)),
            LedgerFlow("kraken", "USD", "withdrawal", None, False, D(-100), D(1)),
            LedgerFlow("kraken", "XRP", "staking", None, True, D(2), D(0)),
            LedgerFlow(
                "kraken", "USD", "rollover", None, False, D(-3), D(0)
            ),  # margin: not counted
            LedgerFlow(
                "kraken", "ETH", "trade", None, True, D(5), D(0)
            ),  # a fill's leg: not counted
        ],
    )
    # BTC 1 - 0.5 - 0.001; USD -106 + 60 - 0.3 + 1000 - 101; XRP +2
    assert found == [
        Holding("kraken", "BTC", D("0.499")),
        Holding("kraken", "USD", D("852.7")),
        Holding("kraken", "XRP", D(2)),
    ]


def test_exposure_per_pair_and_per_quote_lists_what_has_no_mark():
    held = [
        ("kraken", "BTC/USD", D("0.5")),
        ("kraken", "DOGE/USD", D(-1000)),
        ("kraken", "ETH/BTC", D(2)),
    ]
    found = exposure(held, {"BTC/USD": D(120), "DOGE/USD": D("0.08")})
    assert [p.value for p in found.pairs] == [D(60), D(80)]
    assert dict(found.totals) == {"USD": D(140)}
    assert found.unmarked == ("ETH/BTC",)


def test_a_cursor_round_trips_and_is_refused_elsewhere():
    at = T0 + timedelta(microseconds=5)
    text = Cursor("fills", HistoryOrder.NEWEST_FIRST, at, 42).encode()
    assert "|" not in text and "=" not in text
    decoded = Cursor.decode(text, "fills", HistoryOrder.NEWEST_FIRST)
    assert (decoded.time, decoded.key) == (at, 42)
    with pytest.raises(InvalidValueError, match="cursor: continues fills newest first"):
        Cursor.decode(text, "trades", HistoryOrder.NEWEST_FIRST)
    with pytest.raises(InvalidValueError, match="cursor: continues fills newest first"):
        Cursor.decode(text, "fills", HistoryOrder.OLDEST_FIRST)
    for bad in ("", "not a cursor", text[:-3], "!!!!"):
        with pytest.raises(InvalidValueError, match="cursor"):
            Cursor.decode(bad, "fills", HistoryOrder.NEWEST_FIRST)


def test_page_sizes_and_filter_times_are_checked():
    assert page_size(1) == 1
    for bad in (0, -1, 10_001, True, 2.5):
        with pytest.raises(InvalidValueError, match="limit"):
            page_size(bad)
    assert HistoryFilter(trading_pair="btc/usd", exchange="Kraken") == HistoryFilter(
        trading_pair="BTC/USD", exchange="kraken"
    )
    with pytest.raises(InvalidValueError, match="trading_pair"):
        HistoryFilter(trading_pair="BTCUSD")
    with pytest.raises(InvalidValueError, match="since"):
        HistoryFilter(since=datetime(2026, 1, 1))
