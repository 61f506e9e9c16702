"""The PnL report of the stored trades: loads them and hands them to ``domain.performance``.

The arithmetic (per pair, totals per quote currency, ``pnl_pct``) and its rules
live in :mod:`gal_friday.domain.performance`; ``docs/reporting.md`` describes the
report. Pairs holding a fill whose fee comes from Kraken's trades.csv alone (no
ledger row corrects it, ``docs/ledgers.md``) are marked.
"""

from __future__ import annotations

from datetime import datetime

import attrs

from gal_friday.domain.performance import Performance, check_period, summarize
from gal_friday.persistence.interfaces import RepositoriesProtocol
from gal_friday.services.reconcile import pairs_with_unreconciled_fees

#: The report is the domain's performance summary of the stored trades.
Report = Performance


def build_report(
    uow: RepositoriesProtocol,
    trading_pair: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Report:
    """The report of the stored trades (optionally of one ``BASE/QUOTE`` pair)."""
    check_period(since, until)
    report = summarize(uow.trades.all(trading_pair), since, until)
    unreconciled = set(pairs_with_unreconciled_fees(uow))  # one query for the whole report
    pairs = tuple(
        attrs.evolve(
            pair,
            fees_from_trades_csv_only=(pair.exchange, pair.trading_pair) in unreconciled,
        )
        for pair in report.pairs
    )
    return attrs.evolve(report, pairs=pairs)
