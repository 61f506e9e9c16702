"""Time-weighted and money-weighted returns against hand-computed figures (docs/analytics.md)."""

from __future__ import annotations

import decimal
from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

import pytest

from gal_friday.domain.errors import InvalidValueError
from gal_friday.domain.returns import (
    XIRR_PLACES,
    DailyMark,
    time_weighted,
    xirr,
)

T0 = datetime(2025, 1, 1, tzinfo=UTC)


def test_an_account_that_only_receives_a_deposit_has_a_twr_of_zero():
    # nothing before, 1000 arrives on day 1 and is held as cash: a flow, not profit
    result = time_weighted(D(0), [DailyMark(D(1000), D(1000)), DailyMark(D(1000))])
    assert result.returns == (D(0), D(0))
    assert result.total == 0


def test_a_deposit_mid_period_is_not_profit():
    marks = [
        DailyMark(D(1100)),  # +10 % on the opening 1000
        DailyMark(D(2310), D(1000)),  # 1000 deposited: (1100 + 1000) grew 10 %
        DailyMark(D(1800), D(-310)),  # 310 withdrawn: (2310 - 310) lost 10 %
    ]
    result = time_weighted(D(1000), marks)
    assert result.returns == (D("0.1"), D("0.1"), D("-0.1"))
    assert result.total == D("0.089")  # 1.1 x 1.1 x 0.9 - 1
    # the naive end / start - 1 would say +80 %
    assert result.index == (D("1.1"), D("1.21"), D("1.089"))


def test_a_day_with_nothing_before_it_and_nothing_after_returns_zero_and_a_negative_base_none():
    result = time_weighted(D(0), [DailyMark(D(0)), DailyMark(D(50), D(-10)), DailyMark(D(55))])
    assert result.returns == (D(0), None, D("0.1"))
    assert result.undefined == [1]
    assert result.total == D("0.1")  # the undefined day counts as 0


def test_xirr_of_ten_percent_over_365_days_is_exactly_ten_percent():
    assert xirr([(T0, D(-1000)), (T0 + timedelta(days=365), D(1100))]) == D("0.1")
    # half a year: 1.1 ** 0.5 - 1 over half of it
    half = xirr([(T0, D(-1000)), (T0 + timedelta(days=365) / 2, D("1048.808848170151546991"))])
    assert half == D("0.100000000000")


def test_xirr_weighs_money_twr_weighs_time():
    # docs/analytics.md's worked example: +50 % on 1000, 1000 more, then -20 % on 2500
    flows = [
        (T0, D(-1000)),
        (datetime(2025, 7, 1, tzinfo=UTC), D(-1000)),
        (datetime(2026, 1, 1, tzinfo=UTC), D(2000)),
    ]
    assert xirr(flows) == 0  # paid 2000 in, took 2000 out
    twr = time_weighted(D(1000), [DailyMark(D(1500)), DailyMark(D(2000), D(1000))])
    assert twr.total == D("0.2")  # 1.5 x 0.8 - 1


def test_xirr_solves_the_npv_to_its_tolerance():
    flows = [
        (T0, D(-1000)),
        (T0 + timedelta(days=182), D(-1000)),
        (T0 + timedelta(days=365), D(2200)),
    ]
    rate = xirr(flows)
    assert rate is not None and rate.as_tuple().exponent == -XIRR_PLACES
    with decimal.localcontext() as context:
        context.prec = 50

        def npv(x: D) -> D:
            return sum(
                (amount * (1 + x) ** (-D((when - T0).days) / 365) for when, amount in flows),
                D(0),
            )

        step = D(1).scaleb(-XIRR_PLACES)
        # the NPV changes sign within one unit of the last place reported
        assert npv(rate - step) > 0 > npv(rate + step)


def test_xirr_without_a_sign_change_is_undefined_and_one_instant_is_refused():
    assert xirr([(T0, D(-1000)), (T0 + timedelta(days=3), D(-5))]) is None
    assert xirr([(T0, D(1000))]) is None
    with pytest.raises(InvalidValueError, match="two different times"):
        xirr([(T0, D(-1000)), (T0, D(1000))])


def test_xirr_of_a_total_loss_is_minus_one_and_of_a_huge_gain_is_finite():
    assert xirr([(T0, D(-1000)), (T0 + timedelta(days=30), D("0.000001"))]) == D(-1)
    rate = xirr([(T0, D(-1000)), (T0 + timedelta(days=30), D(6170))])
    assert rate is not None and rate > 10**9  # 6.17 ** (365 / 30) - 1
    with decimal.localcontext() as context:
        context.prec = 50
        exact = D("6.17") ** (D(365) / 30) - 1
    assert abs(rate - exact) / exact < D("1e-12")
