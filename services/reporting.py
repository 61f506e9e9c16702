"""The PnL report of the stored trades: loads them and hands them to ``domain.performance``.

The arithmetic (per pair, totals per quote currency, ``pnl_pct``, statistics, periods)
and its rules live in :mod:`gal_friday.domain.performance`; with a reporting currency the
closed trades are first converted with the stored candles
(:mod:`gal_friday.domain.conversion`). ``docs/reporting.md`` describes the report. Pairs
holding a fill whose fee comes from Kraken's trades.csv alone (no ledger row corrects it,
``docs/ledgers.md``) are marked.
"""

from __future__ import annotations

from datetime import datetime

import attrs

from gal_friday.domain import values as v
from gal_friday.domain.performance import Performance, check_period, summarize
from gal_friday.domain.trade import ReportedTrade
from gal_friday.services.ports import RepositoriesProtocol, UnitOfWorkFactory
from gal_friday.services.reconcile import pairs_with_unreconciled_fees

#: The report is the domain's performance summary of the stored trades.
Report = Performance


def build_report(
    uow_factory: UnitOfWorkFactory,
    trading_pair: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    *,
    currency: str | None = None,
    prices_exchange: str | None = None,
) -> Report:
    """The report of the stored trades (optionally of one ``BASE/QUOTE`` pair).

    With ``currency``, every closed trade's amounts are converted to it at the rates of
    the stored candles (``prices_exchange`` chooses whose when several exchanges have them).
    Reads in one transaction of its own.
    """
    check_period(since, until)
    with uow_factory() as uow:
        return _report(uow, trading_pair, since, until, currency, prices_exchange)


def _report(
    uow: RepositoriesProtocol,
    trading_pair: str | None,
    since: datetime | None,
    until: datetime | None,
    currency: str | None,
    prices_exchange: str | None,
) -> Report:
    trades: list[ReportedTrade] = list(uow.trades.figures(trading_pair))
    if currency is None:
        report = summarize(trades, since, until)
    else:
        report = _converted(uow, trades, since, until, currency, prices_exchange)
    unreconciled = set(pairs_with_unreconciled_fees(uow))  # one query for the whole report
    pairs = tuple(
        attrs.evolve(
            pair,
            fees_from_trades_csv_only=(pair.exchange, pair.trading_pair) in unreconciled,
        )
        for pair in report.pairs
    )
    return attrs.evolve(report, pairs=pairs)


def _converted(
    uow: RepositoriesProtocol,
    trades: list[ReportedTrade],
    since: datetime | None,
    until: datetime | None,
    currency: str,
    prices_exchange: str | None,
) -> Report:
    from gal_friday.domain.conversion import convert_trades
    from gal_friday.domain.equity import PriceBook
    from gal_friday.services.equity import load_closes

    code = v.upper_code(currency, "currency")
    book = PriceBook(load_closes(uow, prices_exchange), code)
    return summarize(convert_trades(trades, book, since, until), since, until, code)
