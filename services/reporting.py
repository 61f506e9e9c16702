"""The PnL report of the stored trades: loads them and hands them to ``domain.performance``.

The arithmetic (per pair, totals per quote currency, ``pnl_pct``) and its rules
live in :mod:`gal_friday.domain.performance`; ``docs/reporting.md`` describes the
report.
"""

from __future__ import annotations

from datetime import datetime

from gal_friday.domain.performance import Performance, check_period, summarize
from gal_friday.persistence.interfaces import UnitOfWorkProtocol

#: The report is the domain's performance summary of the stored trades.
Report = Performance


def build_report(
    uow: UnitOfWorkProtocol,
    trading_pair: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Report:
    """The report of the stored trades (optionally of one ``BASE/QUOTE`` pair)."""
    check_period(since, until)
    return summarize(uow.trades.all(trading_pair), since, until)
