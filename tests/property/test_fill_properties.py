"""Properties of fill aggregation on an order (hypothesis).

Expected figures are computed independently, with exact fractions, never by the order.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st

from gal_friday.domain import DomainError, Fill, Order, OrderStatus, OverfillError
from tests.property.strategies import T0, buy_fills, quantities

SETTINGS = settings(max_examples=150, deadline=None)


def order_for(fills: list[Fill], extra: Decimal = Decimal(0)) -> Order:
    """A MARKET BUY of exactly the fills' total quantity plus ``extra``."""
    total = sum((f.quantity_filled for f in fills), Decimal(0))
    return Order(
        trading_pair="BTC/USD",
        exchange="kraken",
        side="BUY",
        order_type="MARKET",
        quantity_ordered=total + extra,
        created_at=T0,
    )


def state(order: Order) -> dict[str, Any]:
    return {
        "status": order.status,
        "filled": order.filled_quantity,
        "average": order.average_fill_price,
        "commissions": order.commissions,
        "fills": list(order.fills),
        "fill_data": [attrs.asdict(f, recurse=False) for f in order.fills],
        "exchange_order_id": order.exchange_order_id,
        "closed_at": order.closed_at,
        "last_updated_at": order.last_updated_at,
    }


def vwap(fills: list[Fill]) -> Fraction:
    quantity = sum((Fraction(f.quantity_filled) for f in fills), Fraction(0))
    notional = sum(
        (Fraction(f.quantity_filled) * Fraction(f.fill_price) for f in fills), Fraction(0)
    )
    return notional / quantity


def rounded(value: Fraction) -> Decimal:
    """Half-even to 18 places, by integer arithmetic."""
    scaled = value * 10**18
    whole, rest = divmod(scaled.numerator, scaled.denominator)
    if 2 * rest > scaled.denominator or (2 * rest == scaled.denominator and whole % 2):
        whole += 1
    return Decimal(f"{whole}E-18")


def assert_no_float(*entities: object) -> None:
    for entity in entities:
        for field in attrs.fields(type(entity)):
            value = getattr(entity, field.name)
            assert not isinstance(value, float), field.name
            if isinstance(value, datetime):
                assert value.utcoffset() is not None, field.name


@SETTINGS
@given(buy_fills(), st.randoms())
def test_vwap_is_within_the_fill_prices_exact_and_independent_of_order(fills, rnd):
    order = order_for(fills)
    for fill in fills:
        order.apply_fill(fill)
    shuffled = list(fills)
    rnd.shuffle(shuffled)
    other = order_for(fills)
    for fill in shuffled:
        other.apply_fill(fill)
    prices = [f.fill_price for f in fills]
    assert order.average_fill_price is not None
    assert min(prices) <= order.average_fill_price <= max(prices)
    assert order.average_fill_price == rounded(vwap(fills))
    assert order.average_fill_price == other.average_fill_price
    assert order.status is other.status is OrderStatus.FILLED
    assert [f.fill_id for f in order.fills] == [f.fill_id for f in other.fills]


@SETTINGS
@given(buy_fills(), quantities)
def test_filled_plus_remaining_is_ordered(fills, extra):
    order = order_for(fills, extra)
    filled = Decimal(0)
    for fill in fills:
        order.apply_fill(fill)
        filled += fill.quantity_filled
        assert order.filled_quantity == filled
        assert order.filled_quantity + order.remaining_quantity == order.quantity_ordered
        assert order.status is OrderStatus.PARTIALLY_FILLED
    assert order.remaining_quantity == extra


@SETTINGS
@given(buy_fills())
def test_commissions_are_summed_per_asset_only(fills):
    order = order_for(fills)
    for fill in fills:
        order.apply_fill(fill)
    expected: dict[str, Decimal] = {}
    for fill in fills:
        expected[fill.commission_asset] = (
            expected.get(fill.commission_asset, Decimal(0)) + fill.commission
        )
    assert order.commissions == expected


@SETTINGS
@given(buy_fills(), st.randoms())
def test_applying_the_same_fills_twice_changes_nothing(fills, rnd):
    order = order_for(fills)
    for fill in fills:
        order.apply_fill(fill)
    before = state(order)
    replays = [attrs.evolve(f) for f in fills]
    rnd.shuffle(replays)
    for fill in replays:
        assert order.apply_fill(fill) is False
    assert state(order) == before


@SETTINGS
@given(
    st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("50"), places=4),
    st.lists(quantities, min_size=1, max_size=12),
)
def test_overfill_attempts_never_change_state(ordered, attempts):
    order = Order(
        trading_pair="BTC/USD",
        exchange="kraken",
        side="BUY",
        order_type="MARKET",
        quantity_ordered=ordered,
        created_at=T0,
    )
    filled = Decimal(0)
    for i, quantity in enumerate(attempts):
        fill = Fill(
            fill_id=f"F{i}",
            trading_pair="BTC/USD",
            exchange="kraken",
            side="BUY",
            quantity_filled=quantity,
            fill_price=Decimal(100 + i),
            commission=Decimal("0.01"),
            commission_asset="USD",
            filled_at=order.created_at.replace(minute=i),
        )
        before = state(order)
        if filled + quantity > ordered:
            try:
                order.apply_fill(fill)
            except OverfillError:
                pass
            else:
                raise AssertionError(f"{filled} + {quantity} > {ordered} was accepted")
            assert state(order) == before
        else:
            assert order.apply_fill(fill) is True
            filled += quantity
        assert order.filled_quantity == filled
        assert order.filled_quantity <= order.quantity_ordered
        expected = (
            OrderStatus.PENDING_SUBMIT
            if not filled
            else OrderStatus.FILLED
            if filled == ordered
            else OrderStatus.PARTIALLY_FILLED
        )
        assert order.status is expected


@SETTINGS
@given(
    buy_fills(),
    st.lists(
        st.sampled_from(["replay", "overfill", "ack", "cancel", "fill"]), min_size=1, max_size=15
    ),
    quantities,
)
def test_no_float_in_any_order_or_fill_field_after_any_sequence(fills, events, extra):
    order = order_for(fills, extra)
    pending = list(reversed(fills))
    for event in events:
        try:
            if event == "fill" and pending:
                order.apply_fill(pending.pop())
            elif event == "replay" and order.fills:
                order.apply_fill(attrs.evolve(order.fills[0]))
            elif event == "overfill":
                big = attrs.evolve(fills[0], fill_id="BIG", quantity_filled=order.quantity_ordered)
                order.apply_fill(big)
            elif event == "ack":
                order.mark_submitted("EX-1", T0)
            elif event == "cancel":
                order.cancel(T0.replace(hour=23))
        except DomainError:  # a refusal by a rule is fine; any other exception fails the test
            pass
        assert_no_float(order, *order.fills)
        assert order.filled_quantity + order.remaining_quantity == order.quantity_ordered
