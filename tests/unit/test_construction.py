"""gal_friday.domain.construction: checked() is __init__'s checks without __init__; assemble() stores as given."""

from __future__ import annotations

from decimal import Decimal

import attrs
import pytest

from gal_friday.domain import Fill, InvalidValueError, Order, OrderStatus, OrderType, Side
from gal_friday.domain.construction import assemble, checked
from tests.factories import at, make_fill

FILL = {
    "fill_id": " T1 ",
    "trading_pair": "btc/usd",
    "exchange": "kraken",
    "side": "buy",
    "quantity_filled": "0.50",
    "fill_price": 100,
    "commission": Decimal("0.1"),
    "commission_asset": "usd",
    "filled_at": at(1),
}


def _fields(instance: object) -> dict:
    return attrs.asdict(instance, recurse=False)


def test_checked_converts_exactly_as_init_does():
    assert _fields(checked(Fill, FILL)) == _fields(Fill(**FILL))


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        ("fill_price", 1.5, "must be a Decimal, not float"),
        ("quantity_filled", "0", "must be greater than zero"),
        ("filled_at", at(1).replace(tzinfo=None), "is naive"),
        ("side", "HOLD", "is not one of BUY, SELL"),
    ],
)
def test_checked_refuses_what_init_refuses_naming_the_field(field, value, problem):
    with pytest.raises(InvalidValueError, match=problem) as caught:
        checked(Fill, {**FILL, field: value})
    assert caught.value.field == field


def test_checked_fills_defaults_factories_and_self_defaults_then_runs_post_init():
    order = checked(
        Order,
        {
            "trading_pair": "BTC/USD",
            "exchange": "kraken",
            "side": Side.BUY,
            "order_type": OrderType.MARKET,
            "quantity_ordered": Decimal(1),
            "created_at": at(0),
            "fills": [make_fill("F1", filled_at=at(2))],
        },
    )
    assert order.last_updated_at == at(2)  # created_at by default, then touched by the fill
    assert order.status is OrderStatus.PARTIALLY_FILLED
    assert order.filled_quantity == Decimal("0.4")
    assert order.client_order_id is not None and order.limit_price is None
    with pytest.raises(InvalidValueError, match="needs a limit price"):
        checked(Order, {**_fields(order), "order_type": "LIMIT", "fills": []})


def test_checked_refuses_unknown_and_missing_fields():
    with pytest.raises(TypeError, match=r"unknown fields \['colour'\]"):
        checked(Fill, {**FILL, "colour": "red"})
    without_price = {k: v for k, v in FILL.items() if k != "fill_price"}
    with pytest.raises(TypeError, match="missing field 'fill_price'"):
        checked(Fill, without_price)


def test_assemble_stores_values_unchanged_and_needs_every_field():
    values = _fields(make_fill("F9"))
    fill = assemble(Fill, values)
    assert type(fill) is Fill and _fields(fill) == values
    with pytest.raises(TypeError, match=r"missing fields \['order_pk'\]"):
        assemble(Fill, {k: v for k, v in values.items() if k != "order_pk"})
