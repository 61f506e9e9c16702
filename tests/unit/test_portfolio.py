"""Drawdowns, exposure and snapshots (docs/trading-rules.md, "Portfolio snapshots and drawdowns").

Every expected figure is worked out by hand in a comment next to it.
"""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import attrs
import pytest

from gal_friday.domain import (
    Drawdowns,
    InvalidValueError,
    NonPositiveEquityError,
    PortfolioSnapshot,
    compute_drawdowns,
    exposure_pct,
)

D = Decimal


def t(day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2024, 1, day, hour, minute, second, tzinfo=UTC)  # 2024-01-01 is a Monday


def zero() -> Drawdowns:
    return Drawdowns(D(0), D(0), D(0))


# -- max drawdown -----------------------------------------------------------------------------


def test_max_drawdown_uses_the_running_peak_including_the_first_point():
    points = [
        (t(1), D(1000)),
        (t(1, 5), D(900)),
        (t(2), D(1200)),
        (t(2, 5), D(960)),
        (t(3), D(1100)),
    ]
    drawdowns = compute_drawdowns(points)
    assert drawdowns.max_drawdown_pct == D(20)  # 1200 -> 960; 1000 -> 900 is only 10


def test_the_first_point_is_a_peak():
    # starting capital 1000, never regained: (1000 - 800) / 1000
    assert compute_drawdowns([(t(1), D(1000)), (t(2), D(800)), (t(3), D(900))]) == Drawdowns(
        D(20), D(0), D(20)
    )


def test_a_rising_history_has_no_drawdown():
    assert compute_drawdowns([(t(1), D(100)), (t(2), D(110)), (t(2, 1), D(120))]) == zero()


def test_a_single_point_has_no_drawdown():
    assert compute_drawdowns([(t(1), D("12345.67"))]) == zero()


def test_drawdowns_round_to_18_places():
    # (3 - 2) / 3 = 33.3333...%
    assert compute_drawdowns([(t(1), D(3)), (t(2), D(2))]).max_drawdown_pct == D(
        "33.333333333333333333"
    )


# -- daily drawdown ---------------------------------------------------------------------------


def test_daily_drawdown_restarts_at_the_first_point_of_the_last_points_utc_day():
    points = [(t(1), D(2000)), (t(3, 1), D(1000)), (t(3, 5), D(1100)), (t(3, 9), D(880))]
    drawdowns = compute_drawdowns(points)
    assert drawdowns.daily_drawdown_pct == D(20)  # peak 1100 within Jan 3: 220 / 1100
    assert drawdowns.max_drawdown_pct == D(56)  # 2000 -> 880: 1120 / 2000


def test_the_equity_at_the_start_of_the_day_counts_as_the_peak():
    # Jan 3 opens at 1000 (its first point), falls to 950, recovers to 990: 50 / 1000
    points = [(t(2, 12), D(4000)), (t(3), D(1000)), (t(3, 6), D(950)), (t(3, 7), D(990))]
    assert compute_drawdowns(points).daily_drawdown_pct == D(5)


def test_the_day_starts_at_midnight_utc_exactly():
    points = [
        (t(2, 23, 59, 59), D(2000)),  # the day before: not in the daily window
        (t(3), D(1000)),  # 00:00:00 is in it
        (t(3, 10), D(900)),
    ]
    drawdowns = compute_drawdowns(points)
    assert drawdowns.daily_drawdown_pct == D(10)  # 100 / 1000
    assert drawdowns.max_drawdown_pct == D(55)  # 1100 / 2000


def test_the_day_is_the_utc_day_not_the_local_one():
    plus_three = timezone(timedelta(hours=3))
    points = [
        (t(2), D(1000)),
        (t(2, 12), D(800)),
        # 01:30 on Jan 3 at +03:00 is 22:30 on Jan 2 UTC: still Jan 2's session
        (datetime(2024, 1, 3, 1, 30, tzinfo=plus_three), D(900)),
    ]
    assert compute_drawdowns(points).daily_drawdown_pct == D(20)  # 200 / 1000


def test_a_local_time_on_the_same_local_day_but_the_previous_utc_day_is_left_out():
    plus_three = timezone(timedelta(hours=3))
    points = [
        (datetime(2024, 1, 3, 2, 0, tzinfo=plus_three), D(2000)),  # Jan 2 23:00 UTC
        (t(3, 5), D(1500)),
    ]
    drawdowns = compute_drawdowns(points)
    assert drawdowns.daily_drawdown_pct == D(0)  # Jan 3 UTC holds one point
    assert drawdowns.max_drawdown_pct == D(25)  # 500 / 2000


# -- weekly drawdown --------------------------------------------------------------------------


def test_weekly_drawdown_starts_on_monday():
    points = [(t(7, 12), D(5000)), (t(8, 1), D(1000)), (t(9), D(800)), (t(10), D(900))]
    drawdowns = compute_drawdowns(points)  # Jan 8 2024 is a Monday
    assert drawdowns.weekly_drawdown_pct == D(20)  # 200 / 1000 from Monday on
    assert drawdowns.daily_drawdown_pct == D(0)  # Jan 10 has one point
    assert drawdowns.max_drawdown_pct == D(84)  # 4200 / 5000


def test_the_week_starts_at_monday_midnight_utc_and_runs_to_sunday():
    points = [
        (t(7, 23, 59, 59), D(5000)),  # Sunday night: the week before
        (t(8), D(1000)),  # Monday 00:00: the week's first point, its peak
        (t(10), D(700)),
        (t(14, 23), D(750)),  # Sunday Jan 14: same ISO week as Monday Jan 8
    ]
    drawdowns = compute_drawdowns(points)
    assert drawdowns.weekly_drawdown_pct == D(30)  # 300 / 1000
    assert drawdowns.daily_drawdown_pct == D(0)
    assert drawdowns.max_drawdown_pct == D(86)  # 4300 / 5000


def test_on_a_monday_the_week_and_the_day_coincide():
    points = [(t(5), D(3000)), (t(8, 1), D(1000)), (t(8, 2), D(1200)), (t(8, 3), D(900))]
    drawdowns = compute_drawdowns(points)
    assert drawdowns.daily_drawdown_pct == drawdowns.weekly_drawdown_pct == D(25)  # 300 / 1200
    assert drawdowns.max_drawdown_pct == D(70)  # 2100 / 3000


# -- input order and errors -------------------------------------------------------------------


def test_points_are_taken_in_time_order():
    forward = [(t(1), D(100)), (t(2), D(50)), (t(3), D(75)), (t(3, 4), D(60))]
    expected = Drawdowns(D(50), D(20), D(50))  # 50 / 100; Jan 3: 15 / 75; week = all
    assert compute_drawdowns(forward) == expected
    assert compute_drawdowns(reversed(forward)) == expected
    for seed in range(5):
        shuffled = list(forward)
        random.Random(seed).shuffle(shuffled)
        assert compute_drawdowns(shuffled) == expected


@pytest.mark.parametrize("equity", [D(0), D(-5), D("-0.000000000000000001")])
@pytest.mark.parametrize("index", [0, 1, 2])
def test_non_positive_equity_is_an_error(equity, index):
    points = [(t(1), D(100)), (t(2), D(90)), (t(3), D(95))]
    points[index] = (points[index][0], equity)
    expected = re.escape(f"equity at {points[index][0].isoformat()} is {equity}")
    with pytest.raises(NonPositiveEquityError, match=expected):
        compute_drawdowns(points)


def test_an_empty_history_is_an_error():
    with pytest.raises(InvalidValueError, match="^points: an equity history needs at least one"):
        compute_drawdowns([])


@pytest.mark.parametrize(
    ("point", "field"),
    [
        ((t(2), 90.0), r"points\[1\].equity: must be a Decimal, not float"),
        ((t(2), D("NaN")), r"points\[1\].equity: must be finite"),
        ((datetime(2024, 1, 2), D(90)), r"points\[1\].time: .* is naive"),
    ],
)
def test_bad_points_are_named_by_their_index(point, field):
    with pytest.raises(InvalidValueError, match=f"^{field}"):
        compute_drawdowns([(t(1), D(100)), point])


# -- exposure ---------------------------------------------------------------------------------


def test_exposure_is_gross_market_value_over_equity():
    assert exposure_pct([D(300), D(-200)], D(1000)) == D(50)  # (300 + 200) / 1000
    assert exposure_pct([], D(1000)) == D(0)
    assert exposure_pct([D(1)], D(3)) == D("33.333333333333333333")
    assert exposure_pct([D(2500)], D(1000)) == D(250)  # leverage is not capped here


@pytest.mark.parametrize("equity", [D(0), D(-1)])
def test_exposure_needs_positive_equity(equity):
    with pytest.raises(NonPositiveEquityError, match="total equity"):
        exposure_pct([D(1)], equity)


def test_exposure_refuses_floats():
    with pytest.raises(InvalidValueError, match="^market_value: must be a Decimal, not float"):
        exposure_pct([0.5], D(10))
    with pytest.raises(InvalidValueError, match="^total_equity: must be a Decimal, not float"):
        exposure_pct([D(1)], 10.0)


# -- snapshots --------------------------------------------------------------------------------


def take(**overrides):
    fields = {
        "at": t(3, 12),
        "total_equity": D("9000"),
        "available_balance": {"USD": D("4000.123456789"), "BTC": D("0.1")},
        "positions": {"BTC/USD": {"quantity": D("0.1"), "market_value": D("5000")}},
        "equity_history": [(t(1), D(10000)), (t(3), D(9500))],
    }
    fields.update(overrides)
    return PortfolioSnapshot.take(**fields)


def test_snapshot_take_computes_every_figure_without_float():
    snapshot = take()
    assert snapshot.snapshot_timestamp == t(3, 12)
    assert snapshot.total_equity == D(9000)
    assert snapshot.max_drawdown_pct == D(10)  # 10000 -> 9000
    assert snapshot.daily_drawdown_pct == D("5.263157894736842105")  # 500 / 9500 on Jan 3
    assert snapshot.weekly_drawdown_pct == D(10)  # the week began on Monday Jan 1
    assert snapshot.total_exposure_pct == D("55.555555555555555556")  # 5000 / 9000
    assert snapshot.balances() == {"USD": D("4000.123456789"), "BTC": D("0.1")}
    assert snapshot.positions == {"BTC/USD": {"quantity": "0.1", "market_value": "5000"}}
    for field in attrs.fields(PortfolioSnapshot):
        assert not isinstance(getattr(snapshot, field.name), float), field.name


def test_the_snapshot_point_itself_counts_in_the_drawdowns():
    # no history before: the snapshot is its own starting capital
    assert take(equity_history=[]).max_drawdown_pct == D(0)
    # history peaked at 12000: (12000 - 9000) / 12000
    assert take(equity_history=[(t(2), D(12000))]).max_drawdown_pct == D(25)


def test_exposure_sums_long_and_short_positions():
    snapshot = take(
        positions={
            "BTC/USD": {"market_value": D("4500")},
            "ETH/USD": {"market_value": D("-1800")},
        }
    )
    assert snapshot.total_exposure_pct == D(70)  # (4500 + 1800) / 9000


def test_balances_round_trip_exactly_at_full_scale():
    balances = {
        "ETH": D("0.000000000000000001"),
        "USD": D("12345678901234567890.123456789012345678"),
        "BTC": D("-0.5"),  # margin: a negative balance is a fact, not an error
    }
    snapshot = take(available_balance=balances)
    assert all(isinstance(value, str) for value in snapshot.available_balance.values())
    restored = snapshot.balances()
    assert restored == balances
    assert all(type(value) is Decimal for value in restored.values())


@pytest.mark.parametrize(
    ("balances", "message"),
    [
        ({"USD": 1.5}, r"^available_balance\[USD\]: must be a Decimal, not float"),
        ({"USD": D("0.0000000000000000001")}, r"^available_balance\[USD\]: .* 18 decimal places"),
        ({"USD": D("Infinity")}, r"^available_balance\[USD\]: must be finite"),
        (["USD"], "^available_balance: must be a mapping"),
    ],
)
def test_bad_balances_are_refused(balances, message):
    with pytest.raises(InvalidValueError, match=message):
        take(available_balance=balances)


def test_a_position_without_a_market_value_is_refused():
    with pytest.raises(InvalidValueError, match=r"^positions\[BTC/USD\].market_value: "):
        take(positions={"BTC/USD": {"quantity": D("0.1")}})


@pytest.mark.parametrize("equity", [D(0), D(-100)])
def test_a_snapshot_of_non_positive_equity_is_refused(equity):
    with pytest.raises(NonPositiveEquityError):
        take(total_equity=equity)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("total_equity", D(0)),
        ("max_drawdown_pct", D(-1)),
        ("daily_drawdown_pct", 1.5),
        ("snapshot_timestamp", datetime(2024, 1, 1)),
        ("positions", "BTC"),
    ],
)
def test_a_snapshot_checks_its_fields(field, value):
    fields = {"snapshot_timestamp": t(1), "total_equity": D(1000), field: value}
    with pytest.raises(InvalidValueError, match=f"^{field}: "):
        PortfolioSnapshot(**fields)
