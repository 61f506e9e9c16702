"""The terminal's precision rule (``cli.amounts``, ``docs/reporting.md``)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from gal_friday.cli.rendering.amounts import amount, percent, price

D = Decimal


@pytest.mark.parametrize(
    ("value", "asset", "shown"),
    [
        ("0.0005891", "BTC", "0.0005891"),  # DOT/BTC PnL: not 0.0006
        ("0.00003012", "BTC", "0.00003012"),  # ETH/BTC fees: not 0.0000
        ("-0.00000012", "BTC", "-0.00000012"),  # a tiny loss: not -0.0000
        ("1.234567891234", "ETH", "1.2345679"),  # 8 significant digits
        ("123456789.123", "BTC", "123456789"),  # the integer part is never rounded
        ("2.500000", "BTC", "2.5"),
        ("774.123456", "USD", "774.12"),
        ("99.7", "USD", "99.70"),
        ("-0.004", "USD", "-0.004"),  # a tiny fiat loss keeps 2 significant digits
        ("0.0012345", "USDT", "0.0012"),
        ("-0.0000", "USD", "0.00"),  # zero has no sign
        ("0", "BTC", "0"),
        ("1000000.005", "EUR", "1000000.00"),  # half-even
    ],
)
def test_amounts_have_the_precision_of_their_asset(value, asset, shown):
    assert amount(D(value), asset) == shown


def test_a_non_zero_amount_is_never_shown_as_zero():
    for exponent in range(1, 19):
        tiny = D(1).scaleb(-exponent)
        for asset in ("USD", "BTC"):
            assert amount(tiny, asset).strip("0.") != "", (tiny, asset)
            assert amount(-tiny, asset).startswith("-")


def test_prices_and_percentages():
    assert price(D("0.15190000"), "USD") == "0.1519"
    assert price(D("43251.123456"), "USD") == "43251.123"
    assert price(D("43251"), "USD") == "43251.00"
    assert price(D("0.00001234"), "BTC") == "0.00001234"
    assert price(None, "USD") == "-"
    assert percent(D("19.936012797440511898")) == "19.94"
    assert percent(D("0.001")) == "0.001"
    assert percent(None) == "-"
    assert amount(None, "USD") == "-"
