"""Drawdowns, exposure and snapshots (trading-rules.md, "Portfolio snapshots and drawdowns")."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from domain import (
    InvalidValueError,
    NonPositiveEquityError,
    PortfolioSnapshot,
    compute_drawdowns,
    exposure_pct,
)

D = Decimal


def t(day: int, hour: int = 0) -> datetime:
    return datetime(2024, 1, day, hour, tzinfo=UTC)  # 2024-01-01 is a Monday


def test_max_drawdown_uses_the_running_peak_including_the_first_point():
    points = [
        (t(1), D(1000)),
        (t(1, 5), D(900)),
        (t(2), D(1200)),
        (t(2, 5), D(960)),
        (t(3), D(1100)),
    ]
    drawdowns = compute_drawdowns(points)
    assert drawdowns.max_drawdown_pct == D(20)  # 1200 -> 960


def test_daily_drawdown_restarts_at_the_first_point_of_the_last_points_utc_day():
    points = [(t(1), D(2000)), (t(3, 1), D(1000)), (t(3, 5), D(1100)), (t(3, 9), D(880))]
    drawdowns = compute_drawdowns(points)
    assert drawdowns.daily_drawdown_pct == D(20)  # peak 1100 within Jan 3
    assert drawdowns.max_drawdown_pct == D(56)  # 2000 -> 880


def test_weekly_drawdown_starts_on_monday():
    points = [(t(7, 12), D(5000)), (t(8, 1), D(1000)), (t(9), D(800)), (t(10), D(900))]
    drawdowns = compute_drawdowns(points)  # Jan 8 2024 is a Monday
    assert drawdowns.weekly_drawdown_pct == D(20)
    assert drawdowns.daily_drawdown_pct == D(0)
    assert drawdowns.max_drawdown_pct == D(84)


def test_points_are_taken_in_time_order():
    forward = [(t(1), D(100)), (t(2), D(50)), (t(3), D(75))]
    assert compute_drawdowns(reversed(forward)) == compute_drawdowns(forward)


def test_drawdowns_round_to_18_places():
    assert compute_drawdowns([(t(1), D(3)), (t(2), D(2))]).max_drawdown_pct == D(
        "33.333333333333333333"
    )


@pytest.mark.parametrize("equity", [D(0), D(-5)])
def test_non_positive_equity_is_an_error(equity):
    with pytest.raises(NonPositiveEquityError, match="positive"):
        compute_drawdowns([(t(1), D(100)), (t(2), equity)])


def test_an_empty_history_is_an_error():
    with pytest.raises(InvalidValueError, match="points"):
        compute_drawdowns([])


def test_exposure_is_gross_market_value_over_equity():
    assert exposure_pct([D(300), D(-200)], D(1000)) == D(50)
    with pytest.raises(NonPositiveEquityError):
        exposure_pct([D(1)], D(0))


def test_snapshot_take_computes_every_figure_without_float():
    snapshot = PortfolioSnapshot.take(
        at=t(3, 12),
        total_equity=D("9000"),
        available_balance={"USD": D("4000.123456789"), "BTC": D("0.1")},
        positions={"BTC/USD": {"quantity": D("0.1"), "market_value": D("5000")}},
        equity_history=[(t(1), D(10000)), (t(3), D(9500))],
    )
    assert snapshot.max_drawdown_pct == D(10)
    assert snapshot.daily_drawdown_pct == D("5.263157894736842105")
    assert snapshot.total_exposure_pct == D("55.555555555555555556")
    assert snapshot.balances() == {"USD": D("4000.123456789"), "BTC": D("0.1")}
    assert snapshot.positions == {"BTC/USD": {"quantity": "0.1", "market_value": "5000"}}
