"""Risk days, weeks and months (domain/risk.py): reset hour 17, weeks from Sunday, and the default.

2026-12-07 is a Monday; every expected boundary is worked out in the comment next to it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

import pytest

from gal_friday.domain import InvalidValueError, PortfolioSnapshot, compute_drawdowns
from gal_friday.domain.risk import ResetSchedule

EVENING_SUNDAY = ResetSchedule(reset_hour=17, week_start="sun")


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.mark.parametrize(
    ("at", "day", "week", "month"),
    [
        # Monday 16:59:59.999999: still Sunday's trading date (16:59 - 17 h = Sunday 23:59)
        (
            utc(2026, 12, 7, 16, 59, 59, 999999),
            utc(2026, 12, 6, 17),
            utc(2026, 12, 6, 17),
            utc(2026, 12, 1, 17),
        ),
        # Monday 17:00 exactly: Monday's day starts; the week (from Sunday 17:00) goes on
        (utc(2026, 12, 7, 17), utc(2026, 12, 7, 17), utc(2026, 12, 6, 17), utc(2026, 12, 1, 17)),
        # Sunday 16:59: Saturday's trading date, so the week started the Sunday before
        (
            utc(2026, 12, 6, 16, 59),
            utc(2026, 12, 5, 17),
            utc(2026, 11, 29, 17),
            utc(2026, 12, 1, 17),
        ),
        # Sunday 17:00: a new week
        (utc(2026, 12, 6, 17), utc(2026, 12, 6, 17), utc(2026, 12, 6, 17), utc(2026, 12, 1, 17)),
        # Tuesday 1 December 16:00 is still 30 November's trading date: November's month
        (utc(2026, 12, 1, 16), utc(2026, 11, 30, 17), utc(2026, 11, 29, 17), utc(2026, 11, 1, 17)),
        # 1 January 10:00 belongs to 31 December: the month (and year) before
        (utc(2027, 1, 1, 10), utc(2026, 12, 31, 17), utc(2026, 12, 27, 17), utc(2026, 12, 1, 17)),
    ],
)
def test_boundaries_with_reset_hour_17_and_weeks_from_sunday(at, day, week, month):
    assert EVENING_SUNDAY.day_start(at) == day
    assert EVENING_SUNDAY.week_start_at(at) == week
    assert EVENING_SUNDAY.month_start(at) == month


def test_the_default_is_utc_days_iso_weeks_and_calendar_months():
    rules = ResetSchedule()
    at = utc(2026, 12, 6, 23, 59)  # a Sunday
    assert rules.day_start(at) == utc(2026, 12, 6)
    assert rules.week_start_at(at) == utc(2026, 11, 30)  # the Monday before
    assert rules.month_start(at) == utc(2026, 12, 1)
    assert rules.week_start_at(utc(2026, 12, 7)) == utc(2026, 12, 7)  # Monday 00:00 starts one


def test_every_instant_lies_in_its_day_week_and_month():
    at = utc(2026, 2, 28, 16, 30)
    for hour in range(0, 24 * 9, 5):
        instant = at + timedelta(hours=hour, minutes=7)
        for rules in (EVENING_SUNDAY, ResetSchedule(), ResetSchedule(23, 4)):
            day, week = rules.day_start(instant), rules.week_start_at(instant)
            assert day <= instant < day + timedelta(days=1)
            assert week <= instant < week + timedelta(days=7)
            assert week.weekday() == rules.week_start
            assert rules.month_start(instant) <= day
            assert (day.hour, week.hour) == (rules.reset_hour, rules.reset_hour)


def test_a_naive_time_and_bad_settings_are_refused_naming_the_field():
    with pytest.raises(InvalidValueError, match="reset_hour"):
        ResetSchedule(reset_hour=24)
    with pytest.raises(InvalidValueError, match="week_start"):
        ResetSchedule(week_start="someday")
    with pytest.raises(InvalidValueError, match="week_start"):
        ResetSchedule(week_start=7)
    with pytest.raises(InvalidValueError, match="at"):
        ResetSchedule().day_start(datetime(2026, 12, 7))
    assert ResetSchedule(week_start="Sunday").week_start == 6


def test_drawdowns_follow_the_schedule():
    points = [
        (utc(2026, 12, 6, 16), D(1200)),  # Sunday before 17:00: last week, last day
        (utc(2026, 12, 6, 18), D(1000)),  # Sunday 18:00: this week's (and day's) first point
        (utc(2026, 12, 7, 10), D(900)),  # Monday 10:00: -10 % from 1000
        (utc(2026, 12, 7, 15), D(950)),
    ]
    evening = compute_drawdowns(points, EVENING_SUNDAY)
    # day and week from Sunday 17:00: peak 1000, trough 900
    assert (evening.daily_drawdown_pct, evening.weekly_drawdown_pct) == (D(10), D(10))
    # max over all points: peak 1200, trough 900 -> 25 %
    assert evening.max_drawdown_pct == D(25)
    default = compute_drawdowns(points)
    # Monday's UTC day and ISO week hold 900 then 950: no drawdown inside them
    assert (default.daily_drawdown_pct, default.weekly_drawdown_pct) == (D(0), D(0))
    assert compute_drawdowns(points, ResetSchedule()) == default


def test_a_snapshot_takes_its_drawdowns_with_the_schedule():
    history = [(utc(2026, 12, 6, 18), D(1000)), (utc(2026, 12, 7, 10), D(900))]
    snapshot = PortfolioSnapshot.take(
        at=utc(2026, 12, 7, 15),
        total_equity=D(950),
        available_balance={"USD": D(950)},
        positions={},
        equity_history=history,
        schedule=EVENING_SUNDAY,
    )
    # from Sunday 17:00: 1000 -> 900 is 10 %; with UTC days only Monday's 900 and 950 count
    assert (snapshot.daily_drawdown_pct, snapshot.weekly_drawdown_pct) == (D(10), D(10))
    plain = PortfolioSnapshot.take(
        at=utc(2026, 12, 7, 15),
        total_equity=D(950),
        available_balance={"USD": D(950)},
        positions={},
        equity_history=history,
    )
    assert (plain.daily_drawdown_pct, plain.weekly_drawdown_pct) == (D(0), D(0))
