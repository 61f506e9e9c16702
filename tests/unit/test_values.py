"""Boundary checks (docs/trading-rules.md, "Money and time"): Decimal only, 18 places, 38 digits,
aware times converted to UTC; every error is an InvalidValueError naming the field, on
construction and on later assignment alike."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from decimal import Decimal

import pytest

from gal_friday.domain import InvalidValueError, OrderStatus, Side, values
from gal_friday.domain.values import (
    enum_value,
    exchange_id,
    money,
    money_or_zero,
    non_empty,
    quantize_computed,
    shown,
    signed_money,
    to_decimal,
    to_uuid,
    trading_pair,
    utc,
)
from tests.factories import make_fill, make_order

D = Decimal


# -- types ------------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [0.5, 0.0, -1.5, 1e30])
def test_floats_are_refused_naming_the_field(bad):
    with pytest.raises(InvalidValueError, match=r"^price: must be a Decimal, not float") as info:
        to_decimal(bad, "price")
    assert info.value.field == "price"


@pytest.mark.parametrize("bad", [True, False])
def test_bools_are_refused_although_they_are_ints(bad):
    with pytest.raises(InvalidValueError, match=r"^price: must be a Decimal, not bool"):
        to_decimal(bad, "price")


@pytest.mark.parametrize("bad", [None, [1], object(), b"1"])
def test_other_types_are_refused(bad):
    with pytest.raises(InvalidValueError, match=r"^price: must be a Decimal"):
        to_decimal(bad, "price")


@pytest.mark.parametrize("text", ["abc", "", "1,5", "1.2.3"])
def test_text_that_is_not_a_number_is_refused(text):
    with pytest.raises(InvalidValueError, match=r"^price: .* is not a decimal number"):
        to_decimal(text, "price")


def test_ints_strings_and_decimals_are_accepted_exactly():
    assert to_decimal(7, "q") == D(7)
    assert to_decimal(" 0.1 ", "q") == D("0.1")
    assert to_decimal(D("2.50"), "q") == D("2.50")
    assert isinstance(to_decimal("0.1", "q"), Decimal)


@pytest.mark.parametrize("value", [D("NaN"), D("sNaN"), D("Infinity"), D("-Infinity"), D("-NaN")])
def test_nan_and_infinities_are_refused(value):
    with pytest.raises(InvalidValueError, match=r"^qty: must be finite"):
        money(value, "qty")


@pytest.mark.parametrize("text", ["NaN", "sNaN", "inf", "-Infinity", " nan "])
def test_nan_and_infinities_written_as_text_are_refused(text):
    with pytest.raises(InvalidValueError, match=r"^qty: must be finite"):
        money(text, "qty")


# -- scale and precision ----------------------------------------------------------------------


def test_18_places_are_accepted_exactly():
    value = D("0.123456789012345678")
    assert money(value, "qty") == value
    assert money(D("0.000000000000000001"), "qty") == D("1E-18")


@pytest.mark.parametrize("text", ["0.0000000000000000001", "1.1234567890123456789", "2.5E-19"])
def test_more_than_18_places_is_an_error_not_a_rounding(text):
    with pytest.raises(InvalidValueError, match=r"^qty: .* has more than 18 decimal places"):
        money(D(text), "qty")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.50000000000000000000000", "1.5"),
        ("0.0000000000000000010", "0.000000000000000001"),
        ("7.000000000000000000000000000000", "7"),
    ],
)
def test_trailing_zeros_beyond_18_places_are_accepted(text, expected):
    assert money(D(text), "qty") == D(expected)


def test_20_integer_digits_fit():
    assert money(D("99999999999999999999"), "qty") == D("99999999999999999999")
    assert money(D("1E+19"), "qty") == D(10) ** 19


@pytest.mark.parametrize("value", [D("100000000000000000000"), D("1E+20"), 10**20, "-1E+25"])
def test_more_than_20_integer_digits_is_an_error(value):
    with pytest.raises(InvalidValueError, match=r"^qty: .* more than 20 digits before the point"):
        signed_money(value, "qty")


def test_38_digits_are_kept_exactly():
    value = D("12345678901234567890.123456789012345678")
    assert money(value, "qty") == value
    assert str(money(value, "qty")) == "12345678901234567890.123456789012345678"


@pytest.mark.parametrize(
    "text",
    ["12345678901234567890.1234567890123456789", "123456789012345678901.234567890123456789"],
)
def test_39_significant_digits_do_not_fit(text):
    with pytest.raises(InvalidValueError, match=r"^qty: "):
        money(D(text), "qty")


def test_more_digits_than_the_arithmetic_reads_names_that_limit():
    # 81 digits written out (1 followed by 80 zeros after the point): refused before any
    # normalisation could round it, and the message names the limit that was checked (80)
    with pytest.raises(
        InvalidValueError, match=r"^qty: is written with 81 digits; at most 80 are read$"
    ):
        money(D("1." + "0" * 80), "qty")


# -- sign -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "check", "message"),
    [
        ("-1", money, "must not be negative"),
        ("0", money, "must be greater than zero"),
        ("0.000", money, "must be greater than zero"),
        ("-0.1", money_or_zero, "must not be negative"),
    ],
)
def test_negative_and_zero_are_refused_where_they_make_no_sense(value, check, message):
    with pytest.raises(InvalidValueError, match=rf"^qty: {message}"):
        check(D(value), "qty")


def test_zero_and_negative_are_allowed_when_asked():
    assert money_or_zero(D("0"), "fee") == 0
    assert signed_money(D("-2.5"), "pnl") == D("-2.5")
    assert signed_money(D("0"), "pnl") == 0


def test_a_negative_zero_loses_its_sign():
    assert not money_or_zero(D("-0"), "fee").is_signed()
    assert not signed_money(D("-0.000"), "pnl").is_signed()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("quantity_filled", D(0)),
        ("quantity_filled", D("-1")),
        ("fill_price", D(0)),
        ("fill_price", D("-0.5")),
    ],
)
def test_fills_refuse_zero_or_negative_amounts_naming_the_field(field, value):
    with pytest.raises(InvalidValueError, match=rf"^{field}: "):
        make_fill(**{field: value})


def test_a_zero_commission_is_allowed():
    assert make_fill(commission=D(0)).commission == 0


def test_a_negative_commission_is_a_rebate_kept_with_its_sign():
    assert make_fill(commission=D("-0.01")).commission == D("-0.01")
    assert not make_fill(commission=D("-0")).commission.is_signed()
    with pytest.raises(InvalidValueError, match=r"^commission: .*more than 18 decimal places"):
        make_fill(commission=D("-0.0000000000000000001"))


@pytest.mark.parametrize("field", ["quantity_ordered", "limit_price", "stop_price"])
def test_orders_refuse_non_positive_amounts(field):
    with pytest.raises(InvalidValueError, match=rf"^{field}: "):
        make_order(**{"order_type": "STOP_LOSS_LIMIT", "stop_price": D(90), field: D(0)})


# -- time -------------------------------------------------------------------------------------


def test_naive_datetimes_are_refused():
    with pytest.raises(InvalidValueError, match=r"^filled_at: 2024-01-01T00:00:00 is naive"):
        utc(datetime(2024, 1, 1), "filled_at")


class _NoOffset(tzinfo):
    """A tzinfo that does not know its offset: as good as naive."""

    def utcoffset(self, dt: datetime | None) -> timedelta | None:
        return None

    def dst(self, dt: datetime | None) -> timedelta | None:
        return None

    def tzname(self, dt: datetime | None) -> str | None:
        return None


def test_a_tzinfo_without_an_offset_counts_as_naive():
    with pytest.raises(InvalidValueError, match="naive"):
        utc(datetime(2024, 1, 1, tzinfo=_NoOffset()), "t")


@pytest.mark.parametrize("bad", ["2024-01-01T00:00:00+00:00", date(2024, 1, 1), 1704067200, None])
def test_non_datetimes_are_refused(bad):
    with pytest.raises(InvalidValueError, match=r"^t: must be a datetime"):
        utc(bad, "t")


@pytest.mark.parametrize(
    ("local", "expected"),
    [
        (datetime(2024, 1, 1, 14, tzinfo=timezone(timedelta(hours=2))), datetime(2024, 1, 1, 12)),
        (datetime(2024, 1, 1, 20, tzinfo=timezone(timedelta(hours=-5))), datetime(2024, 1, 2, 1)),
        (
            datetime(2024, 1, 1, 0, 30, tzinfo=timezone(timedelta(hours=5, minutes=30))),
            datetime(2023, 12, 31, 19),
        ),
    ],
)
def test_aware_datetimes_are_converted_to_utc(local, expected):
    converted = utc(local, "t")
    assert converted == expected.replace(tzinfo=UTC)
    assert converted.tzinfo is UTC
    assert converted.replace(tzinfo=None) == expected


def test_entities_store_times_in_utc():
    plus_two = timezone(timedelta(hours=2))
    fill = make_fill(filled_at=datetime(2024, 5, 1, 2, 0, tzinfo=plus_two))
    assert fill.filled_at.tzinfo is UTC
    assert fill.filled_at.replace(tzinfo=None) == datetime(2024, 5, 1, 0, 0)


# -- assignment after construction ------------------------------------------------------------


def test_errors_name_the_field_on_construction_and_on_assignment():
    with pytest.raises(InvalidValueError, match="^quantity_filled: must be a Decimal, not float"):
        make_fill(quantity_filled=0.1)
    order = make_order()
    with pytest.raises(InvalidValueError, match="^limit_price:"):
        order.limit_price = Decimal("-5")
    with pytest.raises(InvalidValueError, match="^created_at:.*naive"):
        make_order(created_at=datetime(2024, 1, 1))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("quantity_filled", 0.1, "must be a Decimal, not float"),
        ("fill_price", D("NaN"), "must be finite"),
        ("fill_price", D("1.0000000000000000001"), "more than 18 decimal places"),
        ("commission", 0.5, "must be a Decimal, not float"),
        ("filled_at", datetime(2024, 1, 1), "naive"),
        ("side", "HOLD", "not one of BUY, SELL"),
        ("trading_pair", "BTCUSD", "BASE/QUOTE"),
        ("fill_id", "  ", "non-empty"),
    ],
)
def test_assignment_after_construction_is_checked_and_keeps_the_old_value(field, value, message):
    fill = make_fill()
    before = getattr(fill, field)
    with pytest.raises(InvalidValueError, match=rf"^{field}: .*{message}"):
        setattr(fill, field, value)
    assert getattr(fill, field) == before


def test_assignment_converts_like_the_constructor():
    fill = make_fill()
    fill.filled_at = datetime(2024, 1, 1, 3, tzinfo=timezone(timedelta(hours=3)))
    assert fill.filled_at == datetime(2024, 1, 1, tzinfo=UTC)
    fill.fill_price = "101.50"
    assert fill.fill_price == D("101.50")
    assert isinstance(fill.fill_price, Decimal)
    order = make_order()
    order.status = "open"
    assert order.status is OrderStatus.OPEN
    with pytest.raises(InvalidValueError, match="^status: 'DONE' is not one of"):
        order.status = "DONE"
    with pytest.raises(InvalidValueError, match="^quantity_ordered: must be a Decimal, not float"):
        order.quantity_ordered = 2.0


# -- identifiers, enums, pairs ----------------------------------------------------------------


def test_pairs_must_be_base_slash_quote():
    assert trading_pair("btc/usd") == "BTC/USD"
    assert trading_pair(" eth/btc ") == "ETH/BTC"
    for bad in ("BTCUSD", "BTC/", "/USD", "A/B/C", "", "  ", None):
        with pytest.raises(InvalidValueError, match="trading_pair"):
            trading_pair(bad)


def test_enums_accept_their_values_in_any_case_and_list_them_otherwise():
    assert enum_value(Side, "buy", "side") is Side.BUY
    assert enum_value(Side, Side.SELL, "side") is Side.SELL
    with pytest.raises(InvalidValueError, match=r"^side: 'HOLD' is not one of BUY, SELL"):
        enum_value(Side, "HOLD", "side")
    with pytest.raises(InvalidValueError, match=r"^side: 1 is not one of"):
        enum_value(Side, 1, "side")


def test_uuids_from_text_or_uuid():
    ident = uuid.uuid4()
    assert to_uuid(ident, "id") is ident
    assert to_uuid(str(ident), "id") == ident
    with pytest.raises(InvalidValueError, match=r"^id: 'nope' is not a UUID"):
        to_uuid("nope", "id")


def test_non_empty_strips_and_bounds_length():
    assert non_empty("  kraken ", "exchange") == "kraken"
    with pytest.raises(InvalidValueError, match=r"^exchange: must be a non-empty string"):
        non_empty(" \t", "exchange")
    with pytest.raises(InvalidValueError, match=r"^exchange: 'abcdef' is longer than 5 characters"):
        non_empty("abcdef", "exchange", max_length=5)


@pytest.mark.parametrize(
    ("value", "what"),
    [("tx\x00id", "a NUL character"), ("tx\ud800id", "a lone UTF-16 surrogate")],
)
def test_text_a_database_cannot_store_alike_is_refused_naming_the_field(value, what):
    with pytest.raises(InvalidValueError, match=rf"^fill_id: .*holds {what} \(at 2\)"):
        non_empty(value, "fill_id")
    for field in ("fill_id", "exchange_order_id", "commission_asset", "trading_pair"):
        with pytest.raises(InvalidValueError, match=rf"^{field}: .*{what}"):
            make_fill(**{field: value if field != "trading_pair" else f"BTC/{value}"})


@pytest.mark.parametrize(
    "value", ["ｔｘ１", "🚀" * 128, "e\u0301", "\u202eRTL", "zero\u200bwidth", "tab\tid"]
)
def test_odd_but_storable_unicode_is_kept_as_given(value):
    assert make_fill(fill_id=value).fill_id == value.strip()


def test_ids_are_limited_to_the_columns_width():
    assert make_fill(fill_id="x" * 128).fill_id == "x" * 128
    for field in ("fill_id", "exchange_order_id"):
        with pytest.raises(InvalidValueError, match=rf"^{field}: 'x{{20}}.*… is longer than 128"):
            make_fill(**{field: "x" * 200})
    with pytest.raises(InvalidValueError, match=r"^exchange_order_id: .* longer than 128"):
        make_order(exchange_order_id="y" * 129)


def test_domain_text_limits_equal_the_schema_columns():
    from gal_friday.domain import values
    from gal_friday.persistence.tables import definitions as t

    assert t.fills.c.fill_id.type.length == values.EXTERNAL_ID_LENGTH
    assert t.fills.c.exchange_order_id.type.length == values.EXTERNAL_ID_LENGTH
    assert t.orders.c.exchange_order_id.type.length == values.EXTERNAL_ID_LENGTH
    assert t.signals.c.strategy_id.type.length == values.EXTERNAL_ID_LENGTH
    for table in (t.fills, t.orders, t.trades, t.signals):
        assert table.c.exchange.type.length == values.EXCHANGE_LENGTH
        assert table.c.trading_pair.type.length == values.PAIR_LENGTH
    assert t.fills.c.commission_asset.type.length == values.ASSET_LENGTH


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("kraken", "kraken"),
        ("Kraken", "kraken"),
        (" KRAKEN ", "kraken"),
        ("Binance US", "binanceus"),
        ("Crypto.com", "cryptocom"),
        ("gate-io", "gateio"),
        ("bit2c", "bit2c"),
    ],
)
def test_exchange_ids_take_ccxts_form(given, expected):
    assert exchange_id(given) == expected
    assert make_fill(exchange=given).exchange == expected
    assert make_order(exchange=given).exchange == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("k" * 65, "longer than 64"),
        ("kraken/eu", "not an exchange id"),
        ("kräken", "not an exchange id"),
        ("kra\x00ken", "NUL"),
        ("", "non-empty"),
    ],
)
def test_bad_exchange_ids_are_refused(value, message):
    with pytest.raises(InvalidValueError, match=rf"^exchange: .*{message}"):
        exchange_id(value)


def test_shown_values_are_cut_with_an_ellipsis():
    assert shown("abc") == "'abc'"
    long = shown("z" * 5000)
    assert len(long) == 80 and long.endswith("…")
    nested: list = []
    for _ in range(100_000):
        nested = [nested]
    assert "nested too deeply" in shown(nested)


def test_a_time_past_the_end_of_datetime_in_utc_is_a_field_error():
    late = datetime(9999, 12, 31, 23, tzinfo=timezone(timedelta(hours=-5)))
    with pytest.raises(InvalidValueError, match=r"^filled_at: 9999-12-31T23:00:00-05:00 is out"):
        make_fill(filled_at=late)


# -- computed values --------------------------------------------------------------------------


def test_computed_values_round_half_even_to_18_places():
    assert quantize_computed(Decimal(2) / Decimal(3)) == Decimal("0.666666666666666667")
    assert quantize_computed(Decimal("0.0000000000000000005")) == 0
    assert quantize_computed(Decimal("0.0000000000000000015")) == Decimal("0.000000000000000002")
    assert quantize_computed(Decimal("0.0000000000000000025")) == Decimal("0.000000000000000002")


def test_computed_values_keep_no_exponent_and_no_trailing_zeros():
    assert str(quantize_computed(Decimal("100.000"))) == "100"
    assert str(quantize_computed(Decimal("1.50"))) == "1.5"


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("BTC\u200b/USD", "U+200B ZERO WIDTH SPACE"),
        ("BTC/USD\u200f", "U+200F RIGHT-TO-LEFT MARK"),
        ("\u202eBTC/USD", "U+202E RIGHT-TO-LEFT OVERRIDE"),
        ("\uff22TC/USD", "U+FF22 FULLWIDTH LATIN CAPITAL LETTER B"),
        ("\u0412TC/USD", "U+0412 CYRILLIC CAPITAL LETTER VE"),
        ("XRP/U SD", "U+0020 SPACE"),
    ],
)
def test_a_pair_that_only_looks_like_another_is_refused_naming_the_character(text, named):
    with pytest.raises(InvalidValueError, match=re.escape(named)):
        trading_pair(text)


@pytest.mark.parametrize("code", ["\u0412TC", "US\u200bD", "E\u0301UR"])
def test_an_asset_code_with_a_look_alike_or_invisible_character_is_refused(code):
    with pytest.raises(InvalidValueError, match="asset codes are ASCII"):
        values.upper_code(code, "commission_asset")


@pytest.mark.parametrize("pair", ["BTC/USD", "dot.s/eur", "ETH2.S/ETH", "USD_T/EUR", "A-B/C"])
def test_plain_ascii_pairs_are_still_accepted(pair):
    assert trading_pair(pair) == pair.upper()
