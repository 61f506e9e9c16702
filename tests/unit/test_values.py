"""Boundary checks: Decimal only, 18 places, 38 digits, aware UTC times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from domain import InvalidValueError
from domain.values import money, quantize_computed, to_decimal, trading_pair, utc
from tests.factories import make_fill, make_order


@pytest.mark.parametrize("bad", [0.5, True, float("nan"), None, [1]])
def test_non_decimal_types_are_refused(bad):
    with pytest.raises(InvalidValueError, match="price"):
        to_decimal(bad, "price")


@pytest.mark.parametrize("text", ["NaN", "sNaN", "Infinity", "-Infinity", "inf"])
def test_nan_and_infinities_are_refused(text):
    with pytest.raises(InvalidValueError, match="finite|decimal"):
        money(Decimal(text) if text != "inf" else text, "qty")


def test_more_than_18_places_is_an_error_not_a_rounding():
    with pytest.raises(InvalidValueError, match="18 decimal places"):
        money(Decimal("0.0000000000000000001"), "qty")


def test_trailing_zeros_beyond_18_places_are_accepted():
    assert money(Decimal("1.50000000000000000000000"), "qty") == Decimal("1.5")


def test_more_than_20_integer_digits_is_an_error():
    with pytest.raises(InvalidValueError, match="20 digits"):
        money(Decimal("123456789012345678901"), "qty")


def test_38_digits_are_kept_exactly():
    value = Decimal("12345678901234567890.123456789012345678")
    assert money(value, "qty") == value


@pytest.mark.parametrize(
    ("value", "kwargs"), [("-1", {}), ("0", {}), ("-0.1", {"allow_zero": True})]
)
def test_negative_and_zero_are_refused_where_they_make_no_sense(value, kwargs):
    with pytest.raises(InvalidValueError):
        money(Decimal(value), "qty", **kwargs)


def test_zero_and_negative_allowed_when_asked():
    assert money(Decimal("0"), "fee", allow_zero=True) == 0
    assert money(Decimal("-2.5"), "pnl", allow_negative=True) == Decimal("-2.5")


def test_naive_datetimes_are_refused():
    with pytest.raises(InvalidValueError, match="naive"):
        utc(datetime(2024, 1, 1), "filled_at")


def test_aware_datetimes_are_converted_to_utc():
    paris = timezone(timedelta(hours=2))
    assert utc(datetime(2024, 1, 1, 14, tzinfo=paris), "t") == datetime(2024, 1, 1, 12, tzinfo=UTC)
    assert utc(datetime(2024, 1, 1, 14, tzinfo=paris), "t").tzinfo is UTC


def test_pairs_must_be_base_slash_quote():
    assert trading_pair("btc/usd") == "BTC/USD"
    for bad in ("BTCUSD", "BTC/", "/USD", "A/B/C", ""):
        with pytest.raises(InvalidValueError, match="trading_pair"):
            trading_pair(bad)


def test_computed_values_round_half_even_to_18_places():
    assert quantize_computed(Decimal(2) / Decimal(3)) == Decimal("0.666666666666666667")
    assert quantize_computed(Decimal("0.0000000000000000005")) == 0


def test_errors_name_the_field_on_construction_and_on_assignment():
    with pytest.raises(InvalidValueError, match="^quantity_filled: must be a Decimal, not float"):
        make_fill(quantity_filled=0.1)
    order = make_order()
    with pytest.raises(InvalidValueError, match="^limit_price:"):
        order.limit_price = Decimal("-5")
    with pytest.raises(InvalidValueError, match="^created_at:.*naive"):
        make_order(created_at=datetime(2024, 1, 1))
