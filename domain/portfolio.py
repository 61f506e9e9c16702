"""Portfolio snapshots, drawdowns and exposure.

Drawdowns are positive percentages from an equity history ``[(t, equity), ...]``
(UTC; the first point is the starting capital). Points are taken in time order.

* ``max_drawdown_pct = 100 * max_t (peak_t - equity_t) / peak_t`` with ``peak_t``
  the running maximum, the first point included;
* ``daily_drawdown_pct``: the same over the points of the last point's risk
  day, the peak restarting at that day's first point;
* ``weekly_drawdown_pct``: the same over its risk week.

Risk days and weeks follow a :class:`~gal_friday.domain.risk.ResetSchedule`; the
default is UTC days from 00:00 and ISO weeks from Monday 00:00 UTC.

Percentages are rounded half-even to 18 places. Equity at or below zero is a
:class:`NonPositiveEquityError`. Balances and positions are stored as JSON
with decimals written as strings, so nothing passes through ``float``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

import attrs

from gal_friday.domain import values as v
from gal_friday.domain.errors import InvalidValueError, NonPositiveEquityError
from gal_friday.domain.logs import json_object
from gal_friday.domain.risk import ResetSchedule

EquityPoint = tuple[datetime, Decimal]


@attrs.frozen
class Drawdowns:
    """The three drawdown figures of an equity history, in percent."""

    max_drawdown_pct: Decimal
    daily_drawdown_pct: Decimal
    weekly_drawdown_pct: Decimal


def _checked_points(points: Iterable[EquityPoint]) -> list[EquityPoint]:
    checked: list[EquityPoint] = []
    for index, (at, equity) in enumerate(points):
        at = v.utc(at, f"points[{index}].time")
        amount = v.to_decimal(equity, f"points[{index}].equity")
        if amount <= 0:
            raise NonPositiveEquityError(
                f"equity at {at.isoformat()} is {amount}; drawdowns need positive equity"
            )
        checked.append((at, amount))
    if not checked:
        raise InvalidValueError("points", "an equity history needs at least one point")
    checked.sort(key=lambda point: point[0])
    return checked


def _drawdown_pct(equities: Sequence[Decimal]) -> Decimal:
    worst = Decimal(0)
    with v.exact():
        peak = equities[0]
        for equity in equities:
            peak = max(peak, equity)
            worst = max(worst, (peak - equity) / peak)
        return v.quantize_computed(100 * worst)


def compute_drawdowns(
    points: Iterable[EquityPoint], schedule: ResetSchedule | None = None
) -> Drawdowns:
    """Max, daily and weekly drawdowns of an equity history (see the module docstring);
    days and weeks start where ``schedule`` says (default: 00:00 UTC, Monday)."""
    history = _checked_points(points)
    last = history[-1][0]
    rules = schedule or ResetSchedule()
    day_start = rules.day_start(last)
    week_start = rules.week_start_at(last)
    return Drawdowns(
        max_drawdown_pct=_drawdown_pct([e for _, e in history]),
        daily_drawdown_pct=_drawdown_pct([e for t, e in history if t >= day_start]),
        weekly_drawdown_pct=_drawdown_pct([e for t, e in history if t >= week_start]),
    )


def exposure_pct(position_values: Iterable[Decimal], total_equity: Decimal) -> Decimal:
    """``100 * sum(|market value|) / total_equity``, rounded to 18 places."""
    equity = v.to_decimal(total_equity, "total_equity")
    if equity <= 0:
        raise NonPositiveEquityError(f"total equity is {equity}; exposure needs positive equity")
    with v.exact():
        gross = sum(
            (abs(v.to_decimal(value, "market_value")) for value in position_values), Decimal(0)
        )
        return v.quantize_computed(100 * gross / equity)


def _decimal_map(values: object, field: str) -> dict[str, str]:
    if not isinstance(values, Mapping):
        raise InvalidValueError(field, f"must be a mapping, not {type(values).__name__}")
    return {
        str(k): str(v.check_storable(v.to_decimal(amount, f"{field}[{k}]"), f"{field}[{k}]"))
        for k, amount in values.items()
    }


@attrs.define(slots=False, eq=False, kw_only=True, field_transformer=v.apply_checks)
class PortfolioSnapshot:
    """The portfolio's state at one moment: equity, balances, exposure, drawdowns, positions.

    ``available_balance`` maps an asset to its balance; ``positions`` maps a pair to
    a dict of its figures, which must include ``market_value``. Both hold decimal
    strings (JSON-safe, exact); :meth:`balances` reads them back as Decimals.
    """

    snapshot_timestamp: datetime = attrs.field(metadata=v.check(v.utc))
    total_equity: Decimal = attrs.field(metadata=v.check(v.money))
    available_balance: dict[str, str] = attrs.field(factory=dict, metadata=v.check(_decimal_map))
    total_exposure_pct: Decimal = attrs.field(default=Decimal(0), metadata=v.check(v.money_or_zero))
    daily_drawdown_pct: Decimal = attrs.field(default=Decimal(0), metadata=v.check(v.money_or_zero))
    weekly_drawdown_pct: Decimal = attrs.field(
        default=Decimal(0), metadata=v.check(v.money_or_zero)
    )
    max_drawdown_pct: Decimal = attrs.field(default=Decimal(0), metadata=v.check(v.money_or_zero))
    positions: dict[str, Any] = attrs.field(factory=dict, metadata=v.check(json_object))
    snapshot_pk: int | None = None

    @classmethod
    def take(
        cls,
        *,
        at: datetime,
        total_equity: Decimal,
        available_balance: Mapping[str, Decimal],
        positions: Mapping[str, Mapping[str, Any]],
        equity_history: Iterable[EquityPoint],
        schedule: ResetSchedule | None = None,
    ) -> PortfolioSnapshot:
        """A snapshot at ``at`` whose drawdowns cover ``equity_history`` plus this point
        (risk days and weeks as ``schedule`` says; default 00:00 UTC, Monday)."""
        history = [*equity_history, (at, total_equity)]
        drawdowns = compute_drawdowns(history, schedule)
        values = [
            v.to_decimal(p.get("market_value"), f"positions[{pair}].market_value")
            for pair, p in positions.items()
        ]
        return cls(
            snapshot_timestamp=at,
            total_equity=total_equity,
            available_balance=_decimal_map(available_balance, "available_balance"),
            total_exposure_pct=exposure_pct(values, total_equity),
            daily_drawdown_pct=drawdowns.daily_drawdown_pct,
            weekly_drawdown_pct=drawdowns.weekly_drawdown_pct,
            max_drawdown_pct=drawdowns.max_drawdown_pct,
            positions=dict(positions),
        )

    def balances(self) -> dict[str, Decimal]:
        """``available_balance`` as Decimals."""
        return {asset: Decimal(amount) for asset, amount in self.available_balance.items()}
