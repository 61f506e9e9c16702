"""Monthly returns compounded from daily returns (the tearsheet's heatmap; no ORM).

A month's return is ``prod(1 + r) - 1`` over its days' returns, so flows that the daily
returns leave out (time-weighted returns) stay out of the month too; rounded half-even
to six decimal places of the fraction (0.0001 %); the product is kept to 34 significant
digits on the way, far more than the result shows.
"""

from __future__ import annotations

import decimal
from collections.abc import Sequence
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal

_PLACES = Decimal("0.000001")


def monthly_returns(
    days: Sequence[date], daily_returns: Sequence[Decimal]
) -> dict[tuple[int, int], Decimal]:
    """``{(year, month): return}`` from each day's return (the same length as ``days``)."""
    if len(days) != len(daily_returns):
        raise ValueError("monthly_returns: one daily return per day is needed")
    growth: dict[tuple[int, int], Decimal] = {}
    with decimal.localcontext(prec=34):
        for day, daily in zip(days, daily_returns, strict=True):
            key = (day.year, day.month)
            growth[key] = growth.get(key, Decimal(1)) * (1 + daily)
    return {
        key: (factor - 1).quantize(_PLACES, rounding=ROUND_HALF_EVEN)
        for key, factor in sorted(growth.items())
    }
