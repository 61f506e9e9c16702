"""The Fill entity: normalised fields, exact notional, replay identity and time order."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import attrs
import pytest

from gal_friday.domain import Fill, InvalidValueError, LiquidityType, Side
from tests.factories import at, make_fill

D = Decimal


def test_fields_are_normalised():
    fill = make_fill(
        trading_pair=" eth/usdt ",
        exchange=" kraken ",
        side="sell",
        commission_asset="usdt",
        liquidity_type="maker",
        exchange_order_id=" O-1 ",
    )
    assert fill.trading_pair == "ETH/USDT"
    assert fill.exchange == "kraken"
    assert fill.side is Side.SELL
    assert fill.commission_asset == "USDT"
    assert fill.liquidity_type is LiquidityType.MAKER
    assert fill.exchange_order_id == "O-1"
    assert (fill.base_asset, fill.quote_asset) == ("ETH", "USDT")


def test_optional_fields_default_to_none():
    fill = make_fill()
    assert fill.liquidity_type is None
    assert fill.exchange_order_id is None
    assert fill.fill_pk is None
    assert fill.order_pk is None


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("fill_id", "", "non-empty"),
        ("fill_id", "x" * 129, "longer than 128"),
        ("commission_asset", "", "non-empty"),
        ("commission_asset", "A" * 17, "longer than 16"),
        ("liquidity_type", "HIDDEN", "not one of MAKER, TAKER"),
        ("exchange_order_id", " ", "non-empty"),
        ("exchange", None, "non-empty"),
        ("side", None, "not one of BUY, SELL"),
    ],
)
def test_bad_fields_are_refused_naming_the_field(field, value, message):
    with pytest.raises(InvalidValueError, match=rf"^{field}: .*{message}"):
        make_fill(**{field: value})


def test_the_notional_is_exact_beyond_the_default_28_digits():
    quantity = D("12345678901234567890.123456789012345678")
    price = D("98765432109876543210.987654321")
    fill = make_fill(quantity_filled=quantity, fill_price=price)
    # by integer arithmetic: 18 + 9 = 27 decimal places
    product = 12345678901234567890123456789012345678 * 98765432109876543210987654321
    expected = D(f"{product}E-27")
    assert fill.notional == expected
    assert len(fill.notional.as_tuple().digits) > 28


def test_the_notional_of_simple_numbers():
    assert make_fill(quantity_filled=D("0.4"), fill_price=D("100")).notional == D("40.0")


def test_an_identical_report_is_the_same_execution():
    fill = make_fill(liquidity_type="TAKER")
    assert fill.same_execution(attrs.evolve(fill))
    # a replay may lack what the order filled in later (the exchange order id, liquidity)
    assert fill.same_execution(attrs.evolve(fill, liquidity_type=None, exchange_order_id="EX-1"))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("fill_id", "F2"),
        ("trading_pair", "ETH/USD"),
        ("exchange", "binance"),
        ("side", "SELL"),
        ("quantity_filled", D("0.41")),
        ("fill_price", D("100.01")),
        ("commission", D("0.2")),
        ("commission_asset", "BTC"),
        ("filled_at", at(2)),
    ],
)
def test_any_difference_in_the_execution_is_not_the_same(field, value):
    fill = make_fill()
    assert not fill.same_execution(attrs.evolve(fill, **{field: value}))


def test_equal_numbers_written_differently_are_the_same_execution():
    fill = make_fill(quantity_filled=D("0.4"))
    assert fill.same_execution(attrs.evolve(fill, quantity_filled=D("0.40000")))


def test_fills_sort_by_time_then_by_id():
    fills = [
        make_fill("B", filled_at=at(1)),
        make_fill("A", filled_at=at(2)),
        make_fill("A0", filled_at=at(1)),
    ]
    assert [f.fill_id for f in sorted(fills, key=lambda f: f.sort_key)] == ["A0", "B", "A"]


def test_entity_equality_is_identity():
    fill = make_fill()
    twin = attrs.evolve(fill)
    assert fill == fill
    assert fill != twin
    assert len({fill, twin}) == 2


def test_no_float_survives_construction():
    fill = make_fill(quantity_filled="0.1", fill_price=3, commission="0")
    for field in attrs.fields(Fill):
        assert not isinstance(getattr(fill, field.name), float), field.name
    assert fill.filled_at.tzinfo is UTC
    assert isinstance(fill.filled_at, datetime)
