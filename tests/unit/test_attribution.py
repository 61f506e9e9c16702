"""Attribution: an order's strategy and reason reach the trades it enters and closes."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

from gal_friday.domain import Signal, TradeGrouping, build_trades
from gal_friday.domain.attribution import (
    STOP_LOSS_HIT,
    TAKE_PROFIT_HIT,
    AttributionMismatchError,
    OrderAttribution,
    attribute,
    attribute_stream,
    bind_signal,
)
from gal_friday.domain.errors import DomainError, InvalidValueError
from gal_friday.persistence.in_memory import InMemoryUnitOfWork
from gal_friday.services.trade_rebuild import rebuild_trades, refresh_pair
from tests.factories import at, make_fill, make_order

SIGNAL = uuid.UUID(int=7)
OTHER_SIGNAL = uuid.UUID(int=8)
ORDERS = {
    1: OrderAttribution(SIGNAL, "trend", "ENTRY"),
    2: OrderAttribution(None, "trend", TAKE_PROFIT_HIT),
    3: OrderAttribution(OTHER_SIGNAL, "meanrev", STOP_LOSS_HIT),
}


def _fill(fill_id, side, quantity, minute, order_pk, price="100"):
    fill = make_fill(
        fill_id,
        side=side,
        quantity_filled=Decimal(quantity),
        fill_price=Decimal(price),
        filled_at=at(minute),
    )
    fill.order_pk = order_pk
    return fill


def _signal(strategy="trend", signal_id=SIGNAL):
    return Signal(
        trading_pair="BTC/USD",
        exchange="kraken",
        strategy_id=strategy,
        side="BUY",
        entry_type="MARKET",
        signal_id=signal_id,
    )


# -- orders ---------------------------------------------------------------------------------


def test_an_order_takes_its_signals_strategy():
    order = make_order(signal_id=SIGNAL, reason="ENTRY")
    bind_signal(order, _signal())
    assert (order.strategy_id, order.reason) == ("trend", "ENTRY")


def test_an_order_naming_another_strategy_than_its_signal_is_refused_naming_both():
    order = make_order(signal_id=SIGNAL, strategy_id="meanrev")
    with pytest.raises(AttributionMismatchError, match="'meanrev'.*'trend'") as caught:
        bind_signal(order, _signal())
    assert isinstance(caught.value, DomainError)
    assert order.strategy_id == "meanrev"  # refused: nothing changed


def test_an_order_for_another_signal_is_refused():
    order = make_order(signal_id=OTHER_SIGNAL)
    with pytest.raises(AttributionMismatchError):
        bind_signal(order, _signal())
    assert order.signal_id == OTHER_SIGNAL and order.strategy_id is None


def test_a_reason_longer_than_an_external_id_is_refused_naming_the_field():
    with pytest.raises(InvalidValueError, match="reason"):
        make_order(reason="x" * 129)
    with pytest.raises(InvalidValueError, match="strategy_id"):
        make_order(strategy_id="  ")


def test_the_fake_repository_binds_the_signal_when_an_order_is_added():
    uow = InMemoryUnitOfWork()
    with uow() as work:
        work.signals.add(_signal())
        work.orders.add(make_order(signal_id=SIGNAL))
        with pytest.raises(AttributionMismatchError):
            work.orders.add(make_order(signal_id=SIGNAL, strategy_id="other"))
        work.commit()
    with uow() as work:
        assert [o.strategy_id for o in work.orders.by_strategy("trend")] == ["trend"]
        assert len(work.orders.by_signal(SIGNAL)) == 1


# -- trades ---------------------------------------------------------------------------------


@pytest.mark.parametrize("grouping", list(TradeGrouping))
def test_every_grouping_takes_signal_and_strategy_from_entry_and_reason_from_exit(grouping):
    fills = [
        _fill("a", "BUY", "1", 1, 1),
        _fill("b", "SELL", "1", 2, 2, "110"),
    ]
    [trade] = attribute(build_trades(fills, grouping), ORDERS)
    assert (trade.signal_id, trade.strategy_id, trade.exit_reason) == (
        SIGNAL,
        "trend",
        TAKE_PROFIT_HIT,
    )


@pytest.mark.parametrize("grouping", list(TradeGrouping))
def test_a_flip_closes_one_trade_with_its_reason_and_opens_the_next_for_its_strategy(grouping):
    # order 3 sells 2: it closes order 1's long (stop loss) and opens a short of its own
    fills = [_fill("a", "BUY", "1", 1, 1), _fill("b", "SELL", "2", 2, 3, "90")]
    closed, opened = attribute(build_trades(fills, grouping), ORDERS)
    assert closed.is_closed and not opened.is_closed
    assert (closed.signal_id, closed.strategy_id, closed.exit_reason) == (
        SIGNAL,
        "trend",
        STOP_LOSS_HIT,
    )
    assert (opened.signal_id, opened.strategy_id, opened.exit_reason) == (
        OTHER_SIGNAL,
        "meanrev",
        None,
    )


@pytest.mark.parametrize("grouping", list(TradeGrouping))
def test_an_open_trade_after_a_partial_exit_has_no_exit_reason_yet(grouping):
    fills = [_fill("a", "BUY", "2", 1, 1), _fill("b", "SELL", "1", 2, 2, "110")]
    trades = attribute(build_trades(fills, grouping), ORDERS)
    still_open = [t for t in trades if not t.is_closed]
    assert still_open and all(t.exit_reason is None for t in still_open)
    assert all(t.strategy_id == "trend" for t in trades)


def test_fifo_lots_of_two_strategies_keep_each_entrys_strategy():
    fills = [
        _fill("a", "BUY", "1", 1, 1),
        _fill("b", "BUY", "1", 2, 3),
        _fill("c", "SELL", "2", 3, 2, "110"),
    ]
    trades = attribute(build_trades(fills, TradeGrouping.FIFO), ORDERS)
    assert [(t.strategy_id, t.exit_reason) for t in trades] == [
        ("trend", TAKE_PROFIT_HIT),
        ("meanrev", TAKE_PROFIT_HIT),
    ]


def test_unknown_orders_leave_a_trade_unattributed_and_stale_values_are_cleared():
    fills = [_fill("a", "BUY", "1", 1, 40), _fill("b", "SELL", "1", 2, 41)]
    [trade] = build_trades(fills)
    trade.strategy_id, trade.exit_reason = "stale", "stale"
    [trade] = attribute([trade], ORDERS)
    assert (trade.signal_id, trade.strategy_id, trade.exit_reason) == (None, None, None)


def test_the_stream_looks_orders_up_once_per_batch_with_the_keys_it_needs():
    fills = [
        _fill(f"f{n}", "BUY" if n % 2 == 0 else "SELL", "1", n, 1 if n % 2 == 0 else 2)
        for n in range(10)
    ]
    asked: list[list[int]] = []

    def lookup(keys):
        asked.append(keys)
        return {k: ORDERS[k] for k in keys if k in ORDERS}

    trades = list(attribute_stream(build_trades(fills), lookup, batch=2))
    assert len(trades) == 5 and len(asked) == 3
    assert all(keys == [1, 2] for keys in asked)
    assert {(t.strategy_id, t.exit_reason) for t in trades} == {("trend", TAKE_PROFIT_HIT)}


# -- the rebuild keeps it -------------------------------------------------------------------


def _store_attributed(uow_factory):
    with uow_factory() as uow:
        uow.signals.add(_signal())
        entry = make_order(
            signal_id=SIGNAL,
            reason="ENTRY",
            quantity_ordered=Decimal(2),
            order_type="MARKET",
            limit_price=None,
        )
        exit_ = make_order(
            side="SELL",
            strategy_id="trend",
            reason=STOP_LOSS_HIT,
            quantity_ordered=Decimal(2),
            order_type="MARKET",
            limit_price=None,
        )
        for order in (entry, exit_):
            uow.orders.add(order)
        uow.flush()
        entry.apply_fill(_fill("a", "BUY", "2", 1, entry.order_pk))
        exit_.apply_fill(_fill("b", "SELL", "1", 2, exit_.order_pk, "90"))
        uow.commit()
    return entry, exit_


@pytest.mark.parametrize("grouping", list(TradeGrouping))
def test_rebuild_and_refresh_keep_attribution_in_memory(grouping):
    uow = InMemoryUnitOfWork()
    _entry, exit_ = _store_attributed(uow)
    rebuild_trades(uow, grouping)
    with uow() as work:
        assert {(t.strategy_id, t.signal_id) for t in work.trades.all()} == {("trend", SIGNAL)}
        # flat-to-flat: one open cycle (no reason yet); FIFO/LIFO: the lot half closed
        closed = [] if grouping is TradeGrouping.FLAT_TO_FLAT else [STOP_LOSS_HIT]
        assert [t.exit_reason for t in work.trades.all() if t.is_closed] == closed
        assert all(t.exit_reason is None for t in work.trades.all() if not t.is_closed)
    with uow() as work:  # the rest of the exit: the pair's refresh closes the trade
        order = work.orders.get_by_client_id(exit_.client_order_id)
        order.apply_fill(_fill("c", "SELL", "1", 3, order.order_pk, "95"))
        refresh_pair(work, "kraken", "BTC/USD", at(3))
        work.commit()
    with uow() as work:
        trades = work.trades.all()
        assert all(t.is_closed for t in trades)
        assert {(t.strategy_id, t.signal_id, t.exit_reason) for t in trades} == {
            ("trend", SIGNAL, STOP_LOSS_HIT)
        }
        assert [t.trade_id for t in work.trades.by_signal(SIGNAL)] == [t.trade_id for t in trades]
        assert len(work.orders.fills_by_strategy("trend")) == 3
        assert [f.fill_id for f in work.orders.fills_by_signal(SIGNAL)] == ["a"]
