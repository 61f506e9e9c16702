"""Everything one tearsheet shows, read in one go (docs/tearsheet.md).

The equity curve and its statistics (:func:`gal_friday.services.equity.build_equity`),
the PnL report in the same currency (:func:`gal_friday.services.reporting.build_report`),
each closed trade's execution figures (:func:`gal_friday.services.execution.trade_quality`),
and what the reader should know about the data: fees taken from ``trades.csv`` alone,
trades whose candles do not cover them or that lack a reference price, and the ledger
audit's state. The HTML is drawn by :mod:`gal_friday.cli.rendering.tearsheet`.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from decimal import Decimal

import attrs

from gal_friday.domain.performance import Performance, check_period
from gal_friday.services.audit import AuditResult, audit
from gal_friday.services.equity import EquityReport, build_equity
from gal_friday.services.execution import TradeQuality, trade_quality
from gal_friday.services.ports import UnitOfWorkFactory
from gal_friday.services.reporting import build_report


@attrs.frozen
class DataQuality:
    """What the figures rest on: each line a fact the reader should weigh."""

    unreconciled_fee_pairs: tuple[str, ...]
    trades_without_full_candles: int
    missing_references: tuple[tuple[str, int], ...]  # (reason, trades)
    ledger_entries_audited: int
    ledger_balanced: bool | None  # None: no ledger stored


@attrs.frozen
class Tearsheet:
    """The figures of one tearsheet."""

    currency: str
    since: datetime | None
    until: datetime | None
    equity: EquityReport
    report: Performance
    trades: tuple[TradeQuality, ...]
    quality: DataQuality


def build_tearsheet(
    uow_factory: UnitOfWorkFactory,
    *,
    currency: str,
    start_capital: Decimal | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    prices_exchange: str | None = None,
) -> Tearsheet:
    """Read the tearsheet's figures (each part in a read transaction of its own).

    Without ``start_capital`` the equity curve starts from the stored ledger (its
    opening balances and flows), as ``gal-friday equity`` does.
    """
    check_period(since, until)
    equity = build_equity(
        uow_factory,
        start_capital=start_capital,
        currency=currency,
        prices_exchange=prices_exchange,
    )
    report = build_report(
        uow_factory, since=since, until=until, currency=currency, prices_exchange=prices_exchange
    )
    trades = tuple(trade_quality(uow_factory, since=since, until=until))
    return Tearsheet(
        currency=equity.currency,
        since=since,
        until=until,
        equity=equity,
        report=report,
        trades=trades,
        quality=_quality(report, trades, audit(uow_factory)),
    )


def _quality(
    report: Performance, trades: tuple[TradeQuality, ...], audited: AuditResult
) -> DataQuality:
    gaps: Counter[str] = Counter()
    for quality in trades:
        for reason in quality.execution.missing:
            gaps[
                reason if not reason.startswith("no candle at") else "no candle at the order's time"
            ] += 1
    entries = sum(asset.entries for asset in audited.assets)
    return DataQuality(
        unreconciled_fee_pairs=tuple(
            sorted(pair.trading_pair for pair in report.pairs if pair.fees_from_trades_csv_only)
        ),
        trades_without_full_candles=sum(1 for q in trades if q.excursion.coverage != "full"),
        missing_references=tuple(sorted(gaps.items())),
        ledger_entries_audited=entries,
        ledger_balanced=audited.balanced if entries else None,
    )
