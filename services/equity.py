"""The equity use cases: the daily equity curve with its statistics, and snapshots of it.

Reads every stored fill, the closed trades and the candles; the arithmetic is the
domain's (:mod:`gal_friday.domain.equity`, :mod:`gal_friday.domain.statistics`;
docs/analytics.md). Prices of a pair are taken from the one exchange that has candles
of it, or from ``prices_exchange`` when several have.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

import attrs

from gal_friday.domain import PortfolioSnapshot
from gal_friday.domain import values as v
from gal_friday.domain.equity import Closes, EquityDay, day_end, equity_curve
from gal_friday.domain.errors import InvalidValueError
from gal_friday.domain.fill import FillRecord
from gal_friday.domain.statistics import (
    DailyStatistics,
    Drawdown,
    daily_statistics,
    deepest_drawdowns,
    drawdowns,
)
from gal_friday.services.ports import RepositoriesProtocol, UnitOfWorkFactory, UnitOfWorkProtocol

#: The ``positions`` key that marks a snapshot made by :func:`rebuild_snapshots`.
REBUILD_MARK = "snapshots-rebuild"


@attrs.frozen
class EquityReport:
    """The equity curve in one currency, its statistics and its deepest drawdowns."""

    currency: str
    start_capital: Decimal
    days: list[EquityDay]
    statistics: DailyStatistics
    drawdowns: list[Drawdown]


def load_closes(uow: RepositoriesProtocol, prices_exchange: str | None = None) -> dict[str, Closes]:
    """Every pair's closes, each from the one exchange that has its candles.

    A step of the equity and report use cases; runs in the caller's unit of work.
    """
    repository = uow.candles
    if prices_exchange is not None:  # stored ids are normalised: Kraken is kraken
        prices_exchange = v.exchange_id(prices_exchange, "prices_exchange")
    exchanges: dict[str, set[str]] = defaultdict(set)
    for exchange, pair, _interval, _count in repository.series():
        if prices_exchange is None or exchange == prices_exchange:
            exchanges[pair].add(exchange)
    closes: dict[str, Closes] = {}
    for pair, found in sorted(exchanges.items()):
        if len(found) > 1:
            raise InvalidValueError(
                "prices_exchange",
                f"{pair} has candles from {' and '.join(sorted(found))}: "
                "choose one with --prices-exchange",
            )
        closes[pair] = repository.closes(found.pop(), pair)
    return closes


def load_fills(uow: RepositoriesProtocol) -> list[FillRecord]:
    """Every stored fill as a read-only record (a step; runs in the caller's unit of work)."""
    return [
        fill for exchange, pair in uow.fills.pairs() for fill in uow.fills.stream(exchange, pair)
    ]


@attrs.frozen
class SnapshotsRebuilt:
    """What :func:`rebuild_snapshots` did: the equity report it stored, snapshots replaced."""

    report: EquityReport
    removed: int
    added: int


def build_equity(
    uow_factory: UnitOfWorkFactory,
    *,
    start_capital: Decimal,
    currency: str,
    prices_exchange: str | None = None,
) -> EquityReport:
    """The daily equity curve of everything stored, its statistics and deepest drawdowns
    (read in one transaction of its own)."""
    capital = v.money(start_capital, "start_capital")
    currency = v.upper_code(currency, "currency")
    with uow_factory() as uow:
        return _equity(uow, capital, currency, prices_exchange)


def _equity(
    uow: RepositoriesProtocol, capital: Decimal, currency: str, prices_exchange: str | None
) -> EquityReport:
    closed = [trade for trade in uow.trades.all() if trade.exit_timestamp is not None]
    days = equity_curve(
        load_fills(uow),
        closed,
        load_closes(uow, prices_exchange),
        start_capital=capital,
        currency=currency,
    )
    points = [(day.date, day.equity) for day in days]
    return EquityReport(
        currency=currency,
        start_capital=capital,
        days=days,
        statistics=daily_statistics(capital, points),
        drawdowns=deepest_drawdowns(drawdowns(capital, points)),
    )


def _snapshot_positions(report: EquityReport, day: EquityDay) -> dict[str, Any]:
    positions: dict[str, Any] = {
        REBUILD_MARK: {
            "market_value": "0",
            "currency": report.currency,
            "start_capital": str(report.start_capital),
        }
    }
    for asset, rate in sorted(day.rates.items()):
        if asset == report.currency:
            continue
        amount = day.balances[asset]
        with v.exact():
            value = v.quantize_computed(amount * rate)
        positions[f"{asset}/{report.currency}"] = {
            "quantity": str(v.tidy(amount)),
            "price": str(v.quantize_computed(rate)),
            "market_value": str(value),
        }
    return positions


def _snapshot_balances(report: EquityReport, day: EquityDay) -> dict[str, Decimal]:
    balances = {asset: amount for asset, amount in day.balances.items() if amount}
    with v.exact():
        cash = report.start_capital + balances.get(report.currency, Decimal(0))
    balances[report.currency] = cash
    return {asset: v.quantize_computed(amount) for asset, amount in sorted(balances.items())}


def is_rebuilt(snapshot: PortfolioSnapshot) -> bool:
    """True for a snapshot :func:`rebuild_snapshots` made."""
    return REBUILD_MARK in snapshot.positions


def rebuild_snapshots(
    uow_factory: UnitOfWorkFactory,
    *,
    start_capital: Decimal,
    currency: str,
    prices_exchange: str | None = None,
) -> SnapshotsRebuilt:
    """Build the equity report (:func:`build_equity`) and replace the snapshots a previous
    rebuild made with one per day of it, in one transaction.

    Each is taken at the end of its day (the next day's 00:00 UTC) with the drawdowns of
    docs/trading-rules.md over the start capital (at the first day's 00:00) and every day
    up to it. Snapshots taken otherwise are left alone.
    """
    capital = v.money(start_capital, "start_capital")
    currency = v.upper_code(currency, "currency")
    with uow_factory() as uow:
        report = _equity(uow, capital, currency, prices_exchange)
        removed, added = _replace_snapshots(uow, report)
        uow.commit()
    return SnapshotsRebuilt(report, removed, added)


def _replace_snapshots(uow: UnitOfWorkProtocol, report: EquityReport) -> tuple[int, int]:
    removed = 0
    for snapshot in uow.snapshots.between():
        if is_rebuilt(snapshot):
            uow.snapshots.delete(snapshot)
            removed += 1
    uow.flush()
    first: date = report.days[0].date
    history: list[tuple[datetime, Decimal]] = [
        (datetime.combine(first, time(), tzinfo=UTC), report.start_capital)
    ]
    for day in report.days:
        at = day_end(day.date)
        equity = v.computed_amount(day.equity, "total_equity", positive=True)
        snapshot = PortfolioSnapshot.take(
            at=at,
            total_equity=equity,
            available_balance=_snapshot_balances(report, day),
            positions=_snapshot_positions(report, day),
            equity_history=history,
        )
        uow.snapshots.add(snapshot)
        history.append((at, equity))
    uow.flush()
    return removed, len(report.days)
