"""A fee in a third asset needs a rate: the rule the import and the live path share."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from gal_friday.domain import InvalidValueError, MissingConversionRateError
from gal_friday.domain.fees import (
    ThirdAssetFee,
    check_fee_valued,
    third_asset_fee,
    unvalued_fee,
)
from gal_friday.domain.rates import RateTable
from tests.factories import at, make_fill

D = Decimal
BNB = make_fill("B1", trading_pair="BTC/USDT", commission=D("0.001"), commission_asset="BNB")


def test_fees_in_the_pairs_assets_or_zero_need_no_rate():
    assert third_asset_fee(make_fill()) is None
    assert third_asset_fee(make_fill(commission=D("0.001"), commission_asset="BTC")) is None
    assert third_asset_fee(make_fill(commission=D("0"), commission_asset="BNB")) is None


def test_a_third_asset_fee_names_the_asset_and_the_quote():
    assert third_asset_fee(BNB) == ThirdAssetFee("BNB", "USDT")
    assert ThirdAssetFee("BNB", "USDT").key == "BNB/USDT"
    rebate = make_fill(commission=D("-0.001"), commission_asset="BNB")
    assert third_asset_fee(rebate) == ThirdAssetFee("BNB", "USD")


def test_an_import_needs_a_rate_in_force_at_the_fills_time():
    rates = RateTable.of([("BNB", "USDT", BNB.filled_at, D("300"))])
    assert unvalued_fee(BNB, None, BNB.filled_at) == ThirdAssetFee("BNB", "USDT")
    assert unvalued_fee(BNB, rates, BNB.filled_at) is None
    assert unvalued_fee(BNB, rates, BNB.filled_at - timedelta(seconds=1)) is not None
    assert unvalued_fee(make_fill(), None, at(0)) is None


def test_the_live_path_needs_a_positive_decimal_rate():
    check_fee_valued(make_fill(), None)
    check_fee_valued(BNB, {"BNB/USDT": D("300")})
    with pytest.raises(MissingConversionRateError) as caught:
        check_fee_valued(BNB, {"BNB/USD": D("300")})
    assert str(caught.value) == (
        "fill 'B1' paid its commission in BNB, which nothing values in USDT: pass "
        "conversion_rates['BNB/USDT'] (quote per BNB); nothing was stored"
    )
    for bad in (D("0"), D("-1"), D("NaN"), 300):
        with pytest.raises(InvalidValueError, match=r"conversion_rates\['BNB/USDT'\]"):
            check_fee_valued(BNB, {"BNB/USDT": bad})  # type: ignore[dict-item]
