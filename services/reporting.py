"""The PnL report of the stored trades: loads them and hands them to ``domain.performance``.

The arithmetic (per pair, totals per quote currency, ``pnl_pct``, statistics, periods)
and its rules live in :mod:`gal_friday.domain.performance`; with a reporting currency the
closed trades are first converted with the stored candles
(:mod:`gal_friday.domain.conversion`). ``docs/reporting.md`` describes the report. Pairs
holding a fill whose fee comes from Kraken's trades.csv alone (no ledger row corrects it,
``docs/ledgers.md``) are marked. Margin rows of the stored ledger whose refid has no
margin fill (``ledgers.csv`` imported alone) are added to their currency's realized
total as :attr:`~gal_friday.domain.performance.Performance.ledger_margin` (whole
reports only: such rows belong to no pair).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from decimal import Decimal

import attrs

from gal_friday.domain import values as v
from gal_friday.domain.account_book import MARGIN_TYPES, ledger_margin, margin_nets
from gal_friday.domain.ledger import LedgerEntry
from gal_friday.domain.performance import Performance, check_period, summarize
from gal_friday.domain.trade import ReportedTrade
from gal_friday.services.ports import RepositoriesProtocol, UnitOfWorkFactory
from gal_friday.services.reconcile import pairs_with_unreconciled_fees

ZERO = Decimal(0)

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
    margin: dict[str, Decimal] = {}
    if trading_pair is None:
        margin = _ledger_margin(uow, since, until, currency, prices_exchange)
    return attrs.evolve(report, pairs=pairs, ledger_margin=margin)


def _unfilled_margin_rows(uow: RepositoriesProtocol) -> Iterator[LedgerEntry]:
    """The booked margin rows of every exchange whose refid has no stored (margin) fill."""
    for exchange in uow.ledger.exchanges():
        for entries, fill in uow.ledger.trades_with_fills(exchange, MARGIN_TYPES):
            if fill is None:
                yield from entries


def _ledger_margin(
    uow: RepositoriesProtocol,
    since: datetime | None,
    until: datetime | None,
    currency: str | None,
    prices_exchange: str | None,
) -> dict[str, Decimal]:
    """Per currency, the net of the margin rows no margin fill carries; with ``currency``,
    each row converted at its day's close."""
    rows = _unfilled_margin_rows(uow)
    if currency is None:
        return ledger_margin(rows, since, until)
    nets = list(margin_nets(rows, since, until))
    if not nets:
        return {}
    rate = _rates(uow, currency, prices_exchange)
    with v.exact():
        total = sum((v.quantize_computed(net * rate(asset, at)) for asset, at, net in nets), ZERO)
    code = v.upper_code(currency, "currency")
    return {code: v.tidy(total)} if total else {}


def _rates(
    uow: RepositoriesProtocol, currency: str, prices_exchange: str | None
) -> Callable[[str, datetime], Decimal]:
    """``rate(asset, time)``: one unit of ``asset`` in ``currency`` at that day's close."""
    from gal_friday.domain.equity import PriceBook
    from gal_friday.services.equity import load_closes

    book = PriceBook(load_closes(uow, prices_exchange), v.upper_code(currency, "currency"))
    return lambda asset, at: book.rate(asset, at.astimezone(UTC).date())


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
