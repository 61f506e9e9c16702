"""RateTable: a rate applies from its time until the next one of the same asset and quote."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from gal_friday.domain import InvalidValueError, MissingConversionRateError, TradeGrouping
from gal_friday.domain.rates import RateTable
from gal_friday.domain.trade_builder import build_trades
from tests.factories import make_fill

JAN1, JAN2, JAN3 = (datetime(2024, 1, day, tzinfo=UTC) for day in (1, 2, 3))


def test_the_rate_in_force_is_the_latest_at_or_before_the_time():
    table = RateTable.of(
        [("BNB", "USDT", JAN2, Decimal("310.5")), ("BNB", "USDT", JAN1, Decimal(300))]
    )
    assert table.at("BNB", "USDT", datetime(2023, 12, 31, tzinfo=UTC)) is None
    assert table.at("BNB", "USDT", JAN1) == Decimal(300)
    assert table.at("BNB", "USDT", datetime(2024, 1, 1, 23, tzinfo=UTC)) == Decimal(300)
    assert table.at("BNB", "USDT", JAN2) == Decimal("310.5")
    assert table.at("BNB", "USDT", JAN3) == Decimal("310.5")
    assert table.at("BNB", "USD", JAN3) is None


@pytest.mark.parametrize(
    "points",
    [
        [("BNB", "USDT", JAN1, Decimal(0))],
        [("BNB", "USDT", JAN1, Decimal(-1))],
        [("BNB", "USDT", JAN1, Decimal(1)), ("BNB", "USDT", JAN1, Decimal(2))],
        [("BNB", "USDT", datetime(2024, 1, 1), Decimal(1))],  # naive
    ],
)
def test_bad_rates_are_refused(points):
    with pytest.raises(InvalidValueError):
        RateTable.of(points)


def test_the_trade_builder_values_a_third_asset_fee_at_the_fills_time():
    common = {"trading_pair": "BTC/USDT", "commission": Decimal("0.01"), "commission_asset": "BNB"}
    fills = [
        make_fill(
            "B", quantity_filled=Decimal(1), fill_price=Decimal(100), filled_at=JAN1, **common
        ),
        make_fill(
            "S",
            side="SELL",
            quantity_filled=Decimal(1),
            fill_price=Decimal(110),
            filled_at=JAN3,
            **common,
        ),
    ]
    table = RateTable.of([("BNB", "USDT", JAN1, Decimal(300)), ("BNB", "USDT", JAN2, Decimal(400))])
    (trade,) = build_trades(fills, TradeGrouping.FLAT_TO_FLAT, table)
    assert trade.total_commission == Decimal(7)  # 0.01 x 300 + 0.01 x 400
    late = RateTable.of([("BNB", "USDT", JAN2, Decimal(400))])
    with pytest.raises(
        MissingConversionRateError, match=r"'B' at 2024-01-01T00:00:00\+00:00 .*BNB"
    ):
        build_trades(fills, TradeGrouping.FLAT_TO_FLAT, late)
