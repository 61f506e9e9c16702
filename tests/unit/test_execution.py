"""Execution figures, MAE/MFE and R-multiples against hand-computed trades (docs/execution.md)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from gal_friday.domain.candles import Candle
from gal_friday.domain.enums import OrderType, TradeSide
from gal_friday.domain.excursions import excursion_of, r_multiple
from gal_friday.domain.execution import (
    ClosedTradeFigures,
    PriceReference,
    execution_of,
    missing,
    order_reference,
)

D = Decimal
T0 = datetime(2024, 3, 1, tzinfo=UTC)


def _long() -> ClosedTradeFigures:
    # 2 units bought at 100, sold at 110, 2 USD of fees: realized 18
    return ClosedTradeFigures(TradeSide.LONG, D(2), D(100), D(110), D(18), D(2))


def test_a_long_trade_decomposes_into_edge_slippage_and_fees():
    execution = execution_of(
        _long(),
        PriceReference(D(99), "signal"),
        PriceReference(D("100.5"), "limit"),
        PriceReference(D(109), "limit"),
    )
    assert execution.price_pnl == D(20)
    assert execution.fees == D(2)
    assert execution.entry_slippage == D(-2)  # bought 1 above the signal's 99, 2 units
    assert execution.entry_slippage_bps == D("-101.01")  # -2 / (99 x 2)
    assert execution.entry_slippage_vs_order == D(1)  # 0.5 under the 100.5 limit
    assert execution.entry_slippage_vs_order_bps == D("49.75")
    assert execution.exit_slippage == D(2)  # sold 1 above the 109 limit
    assert execution.exit_slippage_bps == D("91.74")
    assert execution.signal_edge == D(20)  # (109 - 99) x 2
    assert execution.signal_edge + execution.entry_slippage + execution.exit_slippage - (
        execution.fees
    ) == D(18)
    assert execution.missing == ()


def test_a_short_trade_counts_a_lower_exit_as_better():
    short = ClosedTradeFigures(TradeSide.SHORT, D(3), D(50), D(45), D("14.4"), D("0.6"))
    execution = execution_of(
        short,
        PriceReference(D(51), "signal"),
        PriceReference(D(50), "limit"),
        PriceReference(D(46), "candle open"),
    )
    assert execution.price_pnl == D(15)
    assert execution.entry_slippage == D(-3)  # sold at 50, the signal wanted 51
    assert execution.exit_slippage == D(3)  # bought back at 45, 1 under the 46 reference
    assert execution.signal_edge == D(15)  # (51 - 46) x 3
    assert execution.signal_edge + execution.entry_slippage + execution.exit_slippage - (
        execution.fees
    ) == D("14.4")


def test_missing_references_are_named_and_leave_the_figures_empty():
    execution = execution_of(
        _long(),
        missing("no signal"),
        order_reference(OrderType.MARKET, None, None, T0, "entry order"),
        order_reference(None, None, None, None, "exit order"),
    )
    assert execution.signal_edge is None and execution.exit_slippage is None
    assert execution.missing == (
        "no signal",
        "no candle at 2024-03-01T00:00:00+00:00",
        "no exit order",
    )
    assert not execution.decomposed


def test_a_market_order_is_measured_against_the_candle_open_and_a_limit_against_its_limit():
    assert order_reference(OrderType.MARKET, None, D(7), T0, "entry order") == PriceReference(
        D(7), "candle open"
    )
    assert order_reference(OrderType.LIMIT, D(6), D(7), T0, "entry order") == PriceReference(
        D(6), "limit"
    )


def _candle(hour: int, low: str, high: str) -> Candle:
    return Candle(
        exchange="kraken",
        trading_pair="BTC/USD",
        interval_s=3600,
        open_time=T0 + timedelta(hours=hour),
        open=D(low),
        high=D(high),
        low=D(low),
        close=D(high),
        volume=D(1),
    )


CANDLES = [_candle(0, "95", "112"), _candle(1, "97", "108"), _candle(5, "80", "130")]


def test_mae_and_mfe_of_a_long_from_the_candles_over_its_life():
    excursion = excursion_of(
        TradeSide.LONG,
        D(2),
        D(100),
        T0 + timedelta(minutes=30),
        T0 + timedelta(hours=1, minutes=30),
        CANDLES,
    )
    # lowest low 95 (5 under the entry), highest high 112 (12 over), 2 units; the 05:00 candle
    # lies after the trade and is ignored
    assert (excursion.mae, excursion.mfe) == (D(10), D(24))
    assert (excursion.mae_pct, excursion.mfe_pct) == (D("5.00"), D("12.00"))
    assert excursion.coverage == "full"


def test_a_short_mirrors_them_and_uncovered_time_is_named():
    excursion = excursion_of(TradeSide.SHORT, D(1), D(100), T0, T0 + timedelta(hours=3), CANDLES)
    assert (excursion.mae, excursion.mfe) == (D(12), D(5))
    assert excursion.coverage == "missing after 2024-03-01T02:00:00+00:00"
    nothing = excursion_of(
        TradeSide.LONG, D(1), D(100), T0 + timedelta(days=2), T0 + timedelta(days=3), CANDLES
    )
    assert (nothing.mae, nothing.mfe, nothing.coverage) == (None, None, "none")


def test_a_gap_between_candles_is_named():
    excursion = excursion_of(
        TradeSide.LONG, D(1), D(100), T0, T0 + timedelta(hours=5, minutes=30), CANDLES
    )
    assert excursion.coverage == ("missing 2024-03-01T02:00:00+00:00 to 2024-03-01T05:00:00+00:00")
    assert excursion.mae == D(20)  # the 05:00 candle's 80 low is inside the trade now


@pytest.mark.parametrize(
    ("pnl", "stop", "expected"),
    [(D(18), D(95), D("1.8")), (D(-10), D(95), D(-1)), (D(5), None, None), (D(5), D(100), None)],
)
def test_the_r_multiple_is_pnl_over_the_risk_to_the_proposed_stop(pnl, stop, expected):
    assert r_multiple(pnl, D(2), D(100), stop) == expected
