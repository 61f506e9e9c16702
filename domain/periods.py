"""Closed trades totalled per exit period (UTC day, ISO week, month or year) and currency.

Behind ``gal-friday report --by`` (docs/reporting.md, "Periods"). A trade belongs to the
period its exit time falls in, periods being half-open ``[start, next start)`` in UTC, so a
trade exiting exactly at midnight of the 1st belongs to the new month. The rows of one
currency add up exactly to that currency's totals: the same amounts, summed exactly.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, timedelta
from decimal import Decimal

import attrs

from gal_friday.domain import values as v
from gal_friday.domain.trade import ReportedTrade

PERIODS = ("day", "week", "month", "year")
_ZERO = Decimal(0)


def period_start(moment_day: date, period: str) -> date:
    """The first day of the ``period`` holding ``moment_day`` (weeks start on ISO Monday)."""
    if period == "day":
        return moment_day
    if period == "week":
        return moment_day - timedelta(days=moment_day.isoweekday() - 1)
    if period == "month":
        return moment_day.replace(day=1)
    if period == "year":
        return moment_day.replace(month=1, day=1)
    raise ValueError(f"unknown period {period!r}; expected one of {', '.join(PERIODS)}")


def period_label(start: date, period: str) -> str:
    """``2024-03-05``, ``2024-W10`` (ISO year and week), ``2024-03`` or ``2024``."""
    if period == "week":
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"
    if period == "month":
        return f"{start.year:04d}-{start.month:02d}"
    if period == "year":
        return f"{start.year:04d}"
    return start.isoformat()


@attrs.frozen
class PeriodTotals:
    """The closed trades of one currency that exited in one period."""

    period: str
    start: date
    currency: str
    trades: int
    wins: int
    losses: int
    realized_pnl: Decimal
    total_commission: Decimal


def period_totals(closed: Iterable[tuple[str, ReportedTrade]], period: str) -> list[PeriodTotals]:
    """Totals of ``[(currency of the amounts, closed trade), ...]`` per currency and period.

    Rows are ordered by currency, then period; periods without an exit are left out.
    """
    groups: dict[tuple[str, date], list[ReportedTrade]] = defaultdict(list)
    for currency, trade in closed:
        if trade.exit_timestamp is None:
            raise ValueError("only closed trades have an exit period")
        day = trade.exit_timestamp.astimezone(UTC).date()
        groups[(currency, period_start(day, period))].append(trade)
    rows = []
    with v.exact():
        for (currency, start), trades in sorted(groups.items()):
            pnls = [trade.realized_pnl for trade in trades]
            rows.append(
                PeriodTotals(
                    period=period_label(start, period),
                    start=start,
                    currency=currency,
                    trades=len(trades),
                    wins=sum(1 for pnl in pnls if pnl > 0),
                    losses=sum(1 for pnl in pnls if pnl < 0),
                    realized_pnl=v.tidy(sum(pnls, _ZERO)),
                    total_commission=v.tidy(sum((t.total_commission for t in trades), _ZERO)),
                )
            )
    return rows
