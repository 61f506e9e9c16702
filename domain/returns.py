"""Returns that know flows from profit: time-weighted (TWR) and money-weighted (XIRR).

docs/analytics.md, "Returns". Both are exact ``Decimal`` computations; nothing goes
through ``float``.

**Time-weighted.** The portfolio is marked at the end of every UTC day. A flow
(a deposit, positive, or a withdrawal, negative) booked during day ``d`` is taken at the
start of that day, the mark of day ``d - 1``, valued at that mark's prices, so

    r(d) = equity(d) / (equity(d - 1) + flows(d)) - 1

with ``equity(-1)`` the opening value. The sub-period returns chain:
``TWR = Π (1 + r(d)) - 1``. A deposit is not profit: an account that only receives a
deposit has a TWR of 0. A day whose base ``equity(d - 1) + flows(d)`` is zero and that
ends at zero held nothing and returns 0; a base at or below zero otherwise leaves the
return undefined (``None``): it counts as 0 in the chain and is listed by the caller.

**Money-weighted.** The XIRR is the annual rate ``x`` at which the investor's cash
flows discount to zero, ``Σ cf_i × (1 + x) ** (-t_i / 365 days) = 0``, with the
opening value and the deposits paid in (negative), the withdrawals and the closing
value taken out (positive), ``t_i`` the exact time since the first flow. It is solved
in ``g = ln(1 + x)`` by the Illinois method (a regula falsi that keeps the root
bracketed) at 50 significant digits, until the bracket is narrower than
:data:`XIRR_TOLERANCE`; the result is rounded to :data:`XIRR_PLACES` places. No sign
change of the flows (nothing paid in, or nothing taken out): ``None``.
"""

from __future__ import annotations

import decimal
from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal

import attrs

from gal_friday.domain import values as v
from gal_friday.domain.errors import InvalidValueError

_CONTEXT = decimal.Context(
    prec=50,
    rounding=decimal.ROUND_HALF_EVEN,
    Emax=999_999,
    Emin=-999_999,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)
_ZERO = Decimal(0)
_ONE = Decimal(1)
#: The XIRR stops when its bracket, in ``ln(1 + x)``, is narrower than this.
XIRR_TOLERANCE = Decimal("1e-15")
#: Decimal places of a reported XIRR.
XIRR_PLACES = 12
#: How far the bracket in ``ln(1 + x)`` may widen before the XIRR is called undefined.
_WIDEST = Decimal(100_000)
_MAX_STEPS = 500
_YEAR = timedelta(days=365)


@attrs.frozen
class DailyMark:
    """A day's closing ``equity`` and the net ``flows`` taken at its start (same currency)."""

    equity: Decimal
    flows: Decimal = _ZERO


@attrs.frozen
class TimeWeighted:
    """Daily time-weighted returns (``None``: undefined), their chained total, and the
    growth index ``Π (1 + r)`` after each day (from 1; at 50 digits, not rounded)."""

    returns: tuple[Decimal | None, ...]
    total: Decimal
    index: tuple[Decimal, ...] = ()

    @property
    def undefined(self) -> list[int]:
        """Indexes of the days whose return is undefined."""
        return [index for index, r in enumerate(self.returns) if r is None]


def time_weighted(opening: Decimal, marks: Sequence[DailyMark]) -> TimeWeighted:
    """The daily returns and the TWR of ``marks`` after an ``opening`` value (module docstring)."""
    returns: list[Decimal | None] = []
    index: list[Decimal] = []
    growth = _ONE
    previous = opening
    with decimal.localcontext(_CONTEXT):
        for mark in marks:
            base = previous + mark.flows
            if base > 0:
                daily: Decimal | None = mark.equity / base - 1
            elif base == 0 and mark.equity == 0:
                daily = _ZERO
            else:
                daily = None
            if daily is not None:
                growth *= 1 + daily
            returns.append(daily)
            index.append(growth)
            previous = mark.equity
        total = growth - 1
    return TimeWeighted(
        returns=tuple(None if r is None else v.quantize_computed(r) for r in returns),
        total=v.quantize_computed(total),
        index=tuple(index),
    )


def _years(span: timedelta) -> Decimal:
    """``span`` in years of 365 days, exact to the microsecond (in the caller's context)."""
    micro = timedelta(microseconds=1)
    return Decimal(span // micro) / Decimal(_YEAR // micro)


def _npv(flows: Sequence[tuple[Decimal, Decimal]], g: Decimal) -> Decimal:
    """``Σ cf × exp(-g × t)`` (``t`` in years)."""
    return sum((amount * (-g * years).exp() for years, amount in flows), _ZERO)


def xirr(cash_flows: Sequence[tuple[datetime, Decimal]]) -> Decimal | None:
    """The annual money-weighted return of dated ``cash_flows`` (module docstring).

    Paid in is negative, taken out positive. ``None`` when the flows do not change sign
    or the rate is beyond ``exp(±100000) - 1`` a year.
    """
    flows = [(when, v.to_decimal(amount, "cash_flow")) for when, amount in cash_flows if amount]
    if not any(amount > 0 for _, amount in flows) or not any(amount < 0 for _, amount in flows):
        return None
    start = min(when for when, _ in flows)
    with decimal.localcontext(_CONTEXT):
        dated = [(_years(when - start), amount) for when, amount in flows]
        if all(years == 0 for years, _ in dated):
            raise InvalidValueError("cash_flows", "an XIRR needs flows at two different times")
        bracket = _bracket(dated)
        if bracket is None:
            return None
        g = _illinois(dated, *bracket)
        rate = g.exp() - 1
    return rate.quantize(Decimal(1).scaleb(-XIRR_PLACES), rounding=decimal.ROUND_HALF_EVEN)


def _bracket(
    flows: Sequence[tuple[Decimal, Decimal]],
) -> tuple[Decimal, Decimal, Decimal, Decimal] | None:
    """``(lo, f(lo), hi, f(hi))`` with ``f`` changing sign, widened from ``[-1, 1]``."""
    lo, hi = -_ONE, _ONE
    f_lo, f_hi = _npv(flows, lo), _npv(flows, hi)
    while (f_lo > 0) == (f_hi > 0) and f_lo != 0 and f_hi != 0:
        if hi > _WIDEST:
            return None
        lo, hi = lo * 2, hi * 2
        f_lo, f_hi = _npv(flows, lo), _npv(flows, hi)
    return lo, f_lo, hi, f_hi


def _illinois(
    flows: Sequence[tuple[Decimal, Decimal]],
    lo: Decimal,
    f_lo: Decimal,
    hi: Decimal,
    f_hi: Decimal,
) -> Decimal:
    """A root of the NPV in ``[lo, hi]``; the bracket always holds it."""
    if f_lo == 0:
        return lo
    if f_hi == 0:
        return hi
    side = 0
    for _ in range(_MAX_STEPS):
        if hi - lo < XIRR_TOLERANCE:
            break
        mid = (lo * f_hi - hi * f_lo) / (f_hi - f_lo)
        if not lo < mid < hi:  # rounding at the very end: fall back to halving
            mid = (lo + hi) / 2
        f_mid = _npv(flows, mid)
        if f_mid == 0:
            return mid
        if (f_mid > 0) == (f_hi > 0):
            hi, f_hi = mid, f_mid
            if side == 1:
                f_lo /= 2
            side = 1
        else:
            lo, f_lo = mid, f_mid
            if side == -1:
                f_hi /= 2
            side = -1
        if hi - lo < XIRR_TOLERANCE:
            break
    return (lo + hi) / 2
