"""Risk figures: realized PnL by exit time, the current streak, exposure, drawdowns (docs/reads.md).

Every figure is an indexed read (no read of every trade): the realized PnL of a window
is one grouped ``SUM``, the streak a few pages of the newest closed trades, exposure the
open trades at the caller's mark prices, drawdowns the snapshots since the week start.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import attrs

from gal_friday.domain import PortfolioSnapshot
from gal_friday.domain import values as v
from gal_friday.domain.portfolio import compute_drawdowns
from gal_friday.domain.positions import Position, check_marks
from gal_friday.domain.risk import Exposure, ResetSchedule, Streak, exposure, pnl_by_quote
from gal_friday.services.ports import UnitOfWorkFactory, UnitOfWorkProtocol


@attrs.frozen
class RealizedPnl:
    """Realized PnL of the trades that exited in ``[since, until)``."""

    since: datetime | None
    until: datetime | None
    #: Per pair: the sum and the number of trades.
    by_pair: Mapping[str, tuple[Decimal, int]]

    @property
    def by_quote(self) -> dict[str, Decimal]:
        """The sums per quote currency."""
        return pnl_by_quote({pair: pnl for pair, (pnl, _) in self.by_pair.items()})

    @property
    def trades(self) -> int:
        """How many trades exited in the window."""
        return sum(count for _, count in self.by_pair.values())


@attrs.frozen
class RiskDrawdowns:
    """Daily and weekly drawdowns (percent) of the snapshots of the current risk week."""

    daily_pct: Decimal
    weekly_pct: Decimal
    snapshots: int


@attrs.frozen
class RiskFigures:
    """What the risk manager checks, at one instant."""

    at: datetime
    schedule: ResetSchedule
    day: RealizedPnl
    week: RealizedPnl
    month: RealizedPnl
    streak: Streak
    positions: list[Position]
    exposure: Exposure
    #: ``None`` when no snapshot was taken in the current risk week.
    drawdowns: RiskDrawdowns | None


def realized_pnl(
    uow_factory: UnitOfWorkFactory,
    since: datetime | None = None,
    until: datetime | None = None,
    *,
    trading_pair: str | None = None,
) -> RealizedPnl:
    """Realized PnL of the closed trades that exited in ``[since, until)`` (either bound open)."""
    start, end = v.optional_utc(since, "since"), v.optional_utc(until, "until")
    with uow_factory() as uow:
        return RealizedPnl(start, end, uow.risk.realized_pnl(start, end, trading_pair))


def current_streak(
    uow_factory: UnitOfWorkFactory,
    *,
    trading_pair: str | None = None,
    as_of: datetime | None = None,
) -> Streak:
    """The run of wins or losses of the trades that exited by ``as_of`` (default: every
    closed trade), newest exit first."""
    with uow_factory() as uow:
        return uow.risk.streak(trading_pair, v.optional_utc(as_of, "as_of"))


def _window(uow: UnitOfWorkProtocol, start: datetime, end: datetime) -> RealizedPnl:
    return RealizedPnl(start, end, uow.risk.realized_pnl(start, end))


def risk_figures(
    uow_factory: UnitOfWorkFactory,
    *,
    at: datetime | None = None,
    schedule: ResetSchedule | None = None,
    marks: Mapping[str, Decimal] | None = None,
) -> RiskFigures:
    """Realized PnL of the current risk day, week and month, the streak, exposure at ``marks``
    and drawdowns, as of ``at`` (default: now), with days and weeks as ``schedule`` says."""
    now = v.utc(at, "at") if at is not None else datetime.now(UTC)
    rules = schedule or ResetSchedule()
    prices = check_marks(marks or {})
    day = rules.day_start(now)
    week = rules.week_start_at(now)
    month = rules.month_start(now)
    next_month = rules.month_start(month + timedelta(days=32))
    with uow_factory() as uow:
        held = uow.positions.positions(prices)
        snapshots = uow.snapshots.between(week, now + timedelta(microseconds=1))
        figures = RiskFigures(
            at=now,
            schedule=rules,
            day=_window(uow, day, day + timedelta(days=1)),
            week=_window(uow, week, week + timedelta(days=7)),
            month=_window(uow, month, next_month),
            streak=uow.risk.streak(None, None if at is None else now),
            positions=held,
            exposure=exposure(
                ((p.exchange, p.trading_pair, p.signed_quantity) for p in held), prices
            ),
            drawdowns=_drawdowns(snapshots, rules),
        )
    return figures


def _drawdowns(
    snapshots: Sequence[PortfolioSnapshot], rules: ResetSchedule
) -> RiskDrawdowns | None:
    if not snapshots:
        return None
    found = compute_drawdowns([(s.snapshot_timestamp, s.total_equity) for s in snapshots], rules)
    return RiskDrawdowns(found.daily_drawdown_pct, found.weekly_drawdown_pct, len(snapshots))
