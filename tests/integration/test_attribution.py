"""Attribution on both backends: live fills of attributed orders, rebuilds, reads by
strategy and by signal, the report's figures (docs/attribution.md)."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

from gal_friday.domain import Signal, TradeGrouping
from gal_friday.domain.attribution import (
    ENTRY,
    TAKE_PROFIT_HIT,
    AttributionMismatchError,
)
from gal_friday.persistence.bootstrap import unit_of_work_factory
from gal_friday.services.live_fills import record_fill
from gal_friday.services.reporting import build_report
from gal_friday.services.trade_rebuild import rebuild_trades
from tests.factories import at, make_fill, make_order

SIGNAL = uuid.UUID("6b1d0c3e-7c55-4c0f-9d53-0f4a5f0c2a11")


def _signal() -> Signal:
    return Signal(
        trading_pair="BTC/USD",
        exchange="kraken",
        strategy_id="trend-follow",
        side="BUY",
        entry_type="MARKET",
        signal_id=SIGNAL,
    )


def _market(**fields):
    return make_order(order_type="MARKET", limit_price=None, quantity_ordered=Decimal(2), **fields)


def _fill(fill_id, side, quantity, price, minute):
    return make_fill(
        fill_id,
        side=side,
        quantity_filled=Decimal(quantity),
        fill_price=Decimal(price),
        filled_at=at(minute),
    )


def _attribution(uow_factory):
    with uow_factory() as uow:
        return [(t.signal_id, t.strategy_id, t.exit_reason, t.is_closed) for t in uow.trades.all()]


@pytest.fixture
def uow_factory(engine):
    return unit_of_work_factory(engine)


def _place(uow_factory):
    with uow_factory() as uow:
        uow.signals.add(_signal())
        entry = _market(signal_id=SIGNAL, reason=ENTRY)
        exit_ = _market(side="SELL", reason=TAKE_PROFIT_HIT)
        unattributed = _market()
        for order in (entry, exit_, unattributed):
            uow.orders.add(order)
        uow.commit()
    return entry, exit_, unattributed


def test_an_order_takes_its_signals_strategy_and_a_mismatch_is_refused(uow_factory):
    entry, _, _ = _place(uow_factory)
    with uow_factory() as uow:
        stored = uow.orders.get_by_client_id(entry.client_order_id)
        assert (stored.strategy_id, stored.reason) == ("trend-follow", ENTRY)
        with pytest.raises(AttributionMismatchError, match="'other'.*'trend-follow'"):
            uow.orders.add(_market(signal_id=SIGNAL, strategy_id="other"))


def test_record_fill_then_rebuild_keep_signal_strategy_and_exit_reason(uow_factory):
    entry, exit_, _ = _place(uow_factory)
    record_fill(
        uow_factory, _fill("e1", "BUY", "2", "100", 1), client_order_id=entry.client_order_id
    )
    record_fill(
        uow_factory, _fill("x1", "SELL", "1", "110", 2), client_order_id=exit_.client_order_id
    )
    # flat-to-flat: one open cycle, attributed, no exit reason yet
    assert _attribution(uow_factory) == [(SIGNAL, "trend-follow", None, False)]
    record_fill(
        uow_factory, _fill("x2", "SELL", "1", "120", 3), client_order_id=exit_.client_order_id
    )
    closed = [(SIGNAL, "trend-follow", TAKE_PROFIT_HIT, True)]
    assert _attribution(uow_factory) == closed
    rebuild_trades(uow_factory)
    assert _attribution(uow_factory) == closed
    rebuild_trades(uow_factory, TradeGrouping.FIFO)
    assert _attribution(uow_factory) == closed * 2  # two lot pieces: one per exit fill
    rebuild_trades(uow_factory, TradeGrouping.FLAT_TO_FLAT)
    assert _attribution(uow_factory) == closed


def test_orders_fills_and_trades_read_by_strategy_and_by_signal(uow_factory):
    entry, exit_, unattributed = _place(uow_factory)
    record_fill(
        uow_factory, _fill("e1", "BUY", "2", "100", 1), client_order_id=entry.client_order_id
    )
    record_fill(
        uow_factory, _fill("x1", "SELL", "2", "90", 2), client_order_id=exit_.client_order_id
    )
    record_fill(
        uow_factory, _fill("u1", "BUY", "1", "95", 3), client_order_id=unattributed.client_order_id
    )
    rebuild_trades(uow_factory)
    with uow_factory() as uow:
        assert [o.client_order_id for o in uow.orders.by_strategy("trend-follow")] == [
            entry.client_order_id
        ]
        assert [o.client_order_id for o in uow.orders.by_signal(SIGNAL)] == [entry.client_order_id]
        assert [f.fill_id for f in uow.orders.fills_by_strategy("trend-follow")] == ["e1"]
        assert [f.fill_id for f in uow.orders.fills_by_signal(SIGNAL)] == ["e1"]
        [trade] = uow.trades.by_signal(SIGNAL)
        assert trade.exit_reason == TAKE_PROFIT_HIT
        assert [t.trade_id for t in uow.trades.by_strategy("trend-follow")] == [trade.trade_id]
        assert uow.trades.by_strategy("nobody") == [] and uow.orders.by_signal(uuid.uuid4()) == []
        figures = sorted(uow.trades.figures(), key=lambda f: f.entry_timestamp)
    # the report's raw read carries the attribution too (both dialects' conversions)
    assert [(f.strategy_id, f.signal_id, f.exit_reason) for f in figures] == [
        ("trend-follow", SIGNAL, TAKE_PROFIT_HIT),
        (None, None, None),
    ]
    report = build_report(uow_factory)
    [by_strategy] = report.groups("strategy")
    assert (by_strategy.group, by_strategy.trades, by_strategy.realized_pnl) == (
        "trend-follow",
        1,
        report.totals[0].realized_pnl,
    )
    [usd] = report.realized_totals
    assert usd.open_trades == 1 and usd.open_realized_pnl == Decimal("-0.1")  # its fee so far
