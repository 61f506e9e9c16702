"""Properties of fill aggregation on an order."""

from __future__ import annotations

import random
from decimal import Decimal

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st

from domain import Order, OverfillError
from tests.property.strategies import buy_fills, quantities

settings.register_profile("default", max_examples=150, deadline=None)
settings.load_profile("default")


def order_for(fills, extra=Decimal(0)):
    total = sum((f.quantity_filled for f in fills), Decimal(0))
    return Order(
        trading_pair="BTC/USD",
        exchange="kraken",
        side="BUY",
        order_type="MARKET",
        quantity_ordered=total + extra,
    )


@given(buy_fills(), st.randoms())
def test_vwap_is_within_the_fill_prices_and_independent_of_order(fills, rnd):
    order = order_for(fills)
    for fill in fills:
        order.apply_fill(fill)
    shuffled = list(fills)
    rnd.shuffle(shuffled)
    other = order_for(fills)
    for fill in shuffled:
        other.apply_fill(fill)
    prices = [f.fill_price for f in fills]
    assert min(prices) <= order.average_fill_price <= max(prices)
    assert order.average_fill_price == other.average_fill_price


@given(buy_fills(), quantities)
def test_filled_plus_remaining_is_ordered(fills, extra):
    order = order_for(fills, extra)
    for fill in fills:
        order.apply_fill(fill)
        assert order.filled_quantity + order.remaining_quantity == order.quantity_ordered


@given(buy_fills())
def test_applying_the_same_fills_twice_changes_nothing(fills):
    order = order_for(fills)
    for fill in fills:
        order.apply_fill(fill)
    state = (order.filled_quantity, order.average_fill_price, order.status, order.commissions)
    for fill in fills:
        assert order.apply_fill(attrs.evolve(fill)) is False
    assert state == (
        order.filled_quantity,
        order.average_fill_price,
        order.status,
        order.commissions,
    )


@given(buy_fills(max_size=4), quantities)
def test_an_overfill_never_changes_state(fills, excess):
    order = order_for(fills)
    for fill in fills:
        order.apply_fill(fill)
    extra = attrs.evolve(fills[0], fill_id="EXTRA", quantity_filled=excess)
    state = (order.filled_quantity, order.average_fill_price, order.status, len(order.fills))
    try:
        order.apply_fill(extra)
    except OverfillError:
        pass
    else:
        raise AssertionError("a full order took another fill")
    assert state == (
        order.filled_quantity,
        order.average_fill_price,
        order.status,
        len(order.fills),
    )


@given(buy_fills())
def test_no_float_in_any_order_or_fill_field(fills):
    order = order_for(fills)
    random.Random(0).shuffle(fills)
    for fill in fills:
        order.apply_fill(fill)
    for entity in [order, *order.fills]:
        for field in attrs.fields(type(entity)):
            assert not isinstance(getattr(entity, field.name), float), field.name
