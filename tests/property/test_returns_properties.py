"""Returns properties: a deposit at a mark does not change the time-weighted return."""

from __future__ import annotations

import decimal
from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from gal_friday.domain.equity import MoveKind, Movement, account_curve
from gal_friday.domain.returns import DailyMark, time_weighted, xirr

T0 = datetime(2026, 1, 1, tzinfo=UTC)
returns = st.lists(
    st.decimals(min_value=D("-0.5"), max_value=D("0.5"), places=4), min_size=2, max_size=20
)
amounts = st.decimals(min_value=D("0.01"), max_value=D(100_000), places=2)


@settings(max_examples=200, deadline=None)
@given(daily=returns, opening=amounts, deposit=amounts, data=st.data())
def test_twr_is_invariant_to_a_deposit_invested_like_the_portfolio(daily, opening, deposit, data):
    k = data.draw(st.integers(0, len(daily) - 1))
    with decimal.localcontext() as context:
        context.prec = 60
        values, level = [], opening
        for r in daily:
            level = level * (1 + r)
            values.append(level)
        before = values[k - 1] if k else opening
        scale = (before + deposit) / before  # from day k the deposit grows like the rest
        shifted = [value if i < k else value * scale for i, value in enumerate(values)]
    plain = time_weighted(opening, [DailyMark(value) for value in values])
    with_deposit = time_weighted(
        opening,
        [DailyMark(value, deposit if i == k else D(0)) for i, value in enumerate(shifted)],
    )
    assert abs(plain.total - with_deposit.total) <= D("1e-17")


closes = st.lists(
    st.decimals(min_value=D(1000), max_value=D(90_000), places=2), min_size=3, max_size=15
)
quantities = st.decimals(min_value=D("0.001"), max_value=D(5), places=3)


@settings(max_examples=150, deadline=None)
@given(prices=closes, held=quantities, added=quantities, data=st.data())
def test_a_curve_holding_one_asset_keeps_its_twr_when_more_of_it_arrives_at_a_mark(
    prices, held, added, data
):
    # day 0's close is known before the first day: prices[i] closes day i - 1
    book = {"BTC/USD": [(T0 + timedelta(days=i), price) for i, price in enumerate(prices)]}
    day = data.draw(st.integers(1, len(prices) - 2))
    opening = [Movement(T0, "BTC", held, MoveKind.FLOW)]
    later = Movement(T0 + timedelta(days=day), "BTC", added, MoveKind.FLOW)  # at the mark

    def twr(movements):
        curve = account_curve([], [], book, currency="USD", movements=movements)
        marks = [DailyMark(d.equity, d.flows) for d in curve.days]
        return time_weighted(curve.opening_value, marks)

    plain, more = twr(opening), twr([*opening, later])
    assert plain.returns == more.returns
    assert plain.total == more.total
    # and it is the asset's own return over the curve
    with decimal.localcontext() as context:
        context.prec = 50
        own = prices[-1] / prices[0] - 1
    assert abs(plain.total - own) <= D("1e-16")


@settings(max_examples=60, deadline=None)
@given(
    paid=st.lists(amounts, min_size=1, max_size=4),
    out=amounts,
    scale=st.decimals(min_value=D("0.5"), max_value=D(1000), places=1),
)
def test_xirr_does_not_depend_on_the_size_of_the_account(paid, out, scale):
    flows = [(T0 + timedelta(days=30 * i), -amount) for i, amount in enumerate(paid)]
    flows.append((T0 + timedelta(days=400), out))
    rate = xirr(flows)
    scaled = xirr([(when, amount * scale) for when, amount in flows])
    assert rate is not None and scaled is not None
    assert abs(rate - scaled) <= D("1e-11")
