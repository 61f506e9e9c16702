"""The Gal-Friday bot's trading loop through this library, on SQLite and PostgreSQL.

signal -> risk check -> order -> acknowledgement -> partial fills (asyncio) with positions
and risk figures read between them -> a snapshot -> an exit order with its reason -> the
closed trade carries signal, strategy and exit reason -> `trades rebuild` keeps them; the
report by strategy sums to its total (docs/reads.md, docs/attribution.md, docs/asyncio.md).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from gal_friday.domain import Fill, Order, Signal
from gal_friday.domain.risk import ResetSchedule
from gal_friday.persistence.bootstrap import async_unit_of_work_factory, unit_of_work_factory
from gal_friday.services.live_fills import FillOutcome, record_fill_async
from gal_friday.services.positions import read_balances, read_positions
from gal_friday.services.risk import risk_figures
from gal_friday.services.snapshots import take_snapshot
from gal_friday.services.trade_rebuild import rebuild_trades

D = Decimal
T0 = datetime(2026, 12, 7, 17, 30, tzinfo=UTC)  # a Monday, after a 17:00 risk reset
SCHEDULE = ResetSchedule(reset_hour=17, week_start="sun")
PAIR = "XRP/USD"


def _fill(fill_id: str, order: Order, quantity: str, price: str, minutes: int) -> Fill:
    return Fill(
        fill_id=fill_id,
        trading_pair=PAIR,
        exchange="kraken",
        side=order.side,
        quantity_filled=D(quantity),
        fill_price=D(price),
        commission=D("0.05"),
        commission_asset="USD",
        filled_at=T0 + timedelta(minutes=minutes),
    )


def test_the_bots_loop_end_to_end(database_url):
    url = database_url.render_as_string(hide_password=False)
    uow = unit_of_work_factory(url)
    async_uow = async_unit_of_work_factory(url)
    marks = {PAIR: D("0.60")}

    # 1. the strategy proposes, the risk manager checks the day before approving
    signal = Signal(
        trading_pair=PAIR,
        exchange="kraken",
        strategy_id="xrp-breakout",
        side="BUY",
        entry_type="LIMIT",
        proposed_entry_price=D("0.5"),
        proposed_sl_price=D("0.48"),
        proposed_tp_price=D("0.6"),
    )
    before = risk_figures(uow, at=T0, schedule=SCHEDULE, marks=marks)
    assert before.day.trades == 0 and before.positions == []
    with uow() as tx:
        tx.signals.add(signal)
        tx.commit()

    # 2. the execution handler places the entry order, Kraken acknowledges it
    entry = Order(
        trading_pair=PAIR,
        exchange="kraken",
        side="BUY",
        order_type="LIMIT",
        quantity_ordered=D(1000),
        limit_price=D("0.5"),
        signal_id=signal.signal_id,
        reason="ENTRY",
        created_at=T0,
    )
    with uow() as tx:
        tx.orders.add(entry)
        tx.commit()
    with uow() as tx:
        stored = tx.orders.get_by_client_id(entry.client_order_id)
        stored.mark_submitted("OABCDE-12345-FGHIJK", T0 + timedelta(seconds=1))
        tx.commit()

    # 3. partial fills arrive through asyncio; positions and risk are read between them
    async def fills() -> list[FillOutcome]:
        first = await record_fill_async(
            async_uow, _fill("TX1", entry, "400", "0.499", 1), client_order_id=entry.client_order_id
        )
        between = read_positions(uow, marks)
        assert [(p.trading_pair, p.quantity) for p in between] == [(PAIR, D(400))]
        second = await record_fill_async(
            async_uow, _fill("TX2", entry, "600", "0.5", 2), client_order_id=entry.client_order_id
        )
        replay = await record_fill_async(
            async_uow, _fill("TX2", entry, "600", "0.5", 2), client_order_id=entry.client_order_id
        )
        return [first, second, replay]

    assert asyncio.run(fills()) == [
        FillOutcome.RECORDED,
        FillOutcome.RECORDED,
        FillOutcome.ALREADY_RECORDED,
    ]
    (position,) = read_positions(uow, marks)
    assert position.quantity == D(1000)
    assert position.average_entry_price == D("0.4996")  # (400 x 0.499 + 600 x 0.5) / 1000
    assert position.unrealized_pnl == D("100.4")  # (0.60 - 0.4996) x 1000
    held = {h.asset: h.amount for h in read_balances(uow)}
    assert held["XRP"] == D(1000) and held["USD"] == D("-499.7")  # 499.6 paid + 0.10 fees
    during = risk_figures(uow, at=T0 + timedelta(minutes=3), schedule=SCHEDULE, marks=marks)
    assert during.exposure.totals == {"USD": D(600)}

    # 4. the portfolio manager saves a snapshot
    snapshot = take_snapshot(
        uow,
        at=T0 + timedelta(minutes=5),
        total_equity=D("10100.3"),
        available_balance={"USD": D("9500.3")},
        positions={PAIR: {"quantity": D(1000), "market_value": D(600)}},
        starting_equity=D(10000),
    )
    assert snapshot.snapshot_pk is not None

    # 5. the take-profit order closes the position
    exit_order = Order(
        trading_pair=PAIR,
        exchange="kraken",
        side="SELL",
        order_type="LIMIT",
        quantity_ordered=D(1000),
        limit_price=D("0.6"),
        signal_id=signal.signal_id,
        reason="TAKE_PROFIT_HIT",
        created_at=T0 + timedelta(hours=1),
    )
    with uow() as tx:
        tx.orders.add(exit_order)
        tx.commit()
    outcome = asyncio.run(
        record_fill_async(
            async_uow,
            _fill("TX3", exit_order, "1000", "0.6", 61),
            client_order_id=exit_order.client_order_id,
        )
    )
    assert outcome is FillOutcome.RECORDED

    def closed_trade():
        with uow() as tx:
            (trade,) = tx.trades.by_strategy("xrp-breakout")
            return trade

    trade = closed_trade()
    assert trade.exit_timestamp is not None
    assert (trade.signal_id, trade.strategy_id, trade.exit_reason) == (
        signal.signal_id,
        "xrp-breakout",
        "TAKE_PROFIT_HIT",
    )
    assert trade.realized_pnl == D("100.25")  # 600 - 499.6 - 0.15 of fees
    after = risk_figures(uow, at=T0 + timedelta(hours=2), schedule=SCHEDULE, marks=marks)
    assert after.day.by_quote == {"USD": D("100.25")} and after.positions == []
    assert (after.streak.kind.value, after.streak.length) == ("WINS", 1)

    # 6. a full rebuild keeps the attribution
    rebuild_trades(uow)
    rebuilt = closed_trade()
    assert (rebuilt.signal_id, rebuilt.strategy_id, rebuilt.exit_reason) == (
        signal.signal_id,
        "xrp-breakout",
        "TAKE_PROFIT_HIT",
    )
    assert rebuilt.realized_pnl == trade.realized_pnl
