"""The equity use cases: the daily equity curve with its statistics, and snapshots of it.

Streams every stored fill, the closed trades' exits and the ledger (memory O(days), not
O(fills)) and reads the candles; the arithmetic is the
domain's (:mod:`gal_friday.domain.equity`, :mod:`gal_friday.domain.statistics`;
docs/analytics.md). Prices of a pair are taken from the one exchange that has candles
of it, or from ``prices_exchange`` when several have.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

import attrs

from gal_friday.domain import PortfolioSnapshot
from gal_friday.domain import values as v
from gal_friday.domain.equity import (
    AccountCurve,
    Closes,
    CurveSpan,
    EquityDay,
    FlowValue,
    Movement,
    day_end,
    streamed_curve,
)
from gal_friday.domain.equity_notes import MAX_STALE_DAYS, CurveEnd, NegativeBalance, StalePrice
from gal_friday.domain.errors import InvalidValueError
from gal_friday.domain.fill import FillRecord
from gal_friday.domain.ledger_holdings import (
    LedgerOpening,
    before_start,
    covers,
    ledger_opening,
    movements,
)
from gal_friday.domain.returns import DailyMark, time_weighted, xirr
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
class FillsCount:
    """How the stored fills met the ledger (all zero without a ledger)."""

    #: Fills older than their exchange's ledger: already in its opening balances.
    before_ledger: int = 0
    #: Fills of an exchange with a ledger that its ledger does not hold: folded from the fill.
    not_in_ledger: int = 0


@attrs.frozen
class EquityReport:
    """The equity curve in one currency, its returns, statistics, drawdowns and notes.

    ``source`` is ``"ledger"`` when opening balances and flows come from the stored ledger
    (no start capital), ``"fills"`` when the start capital is the opening cash. In ledger
    mode the statistics and drawdowns are those of the time-weighted growth index.
    """

    currency: str
    start_capital: Decimal | None
    days: list[EquityDay]
    statistics: DailyStatistics
    drawdowns: list[Drawdown]
    source: str = "fills"
    opening_value: Decimal = Decimal(0)
    opening_balances: Mapping[str, Decimal] = attrs.field(factory=dict)
    flows: list[FlowValue] = attrs.field(factory=list)
    twr: Decimal | None = None
    xirr: Decimal | None = None
    end: CurveEnd | None = None
    stale_prices: list[StalePrice] = attrs.field(factory=list)
    negative_balances: list[NegativeBalance] = attrs.field(factory=list)
    undefined_returns: list[date] = attrs.field(factory=list)
    unvalued: list[str] = attrs.field(factory=list)
    fills: FillsCount = FillsCount()
    #: True when a ledger is stored but the start capital chose the fills alone.
    ledger_ignored: bool = False
    max_stale_days: int = MAX_STALE_DAYS

    @property
    def base_value(self) -> Decimal:
        """The value the first day's return is measured from: the start capital, or the
        opening value from the ledger."""
        return self.start_capital if self.start_capital is not None else self.opening_value


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


@attrs.frozen
class SnapshotsRebuilt:
    """What :func:`rebuild_snapshots` did: the equity report it stored, snapshots replaced."""

    report: EquityReport
    removed: int
    added: int


def build_equity(
    uow_factory: UnitOfWorkFactory,
    *,
    currency: str,
    start_capital: Decimal | None = None,
    prices_exchange: str | None = None,
    max_stale_days: int = MAX_STALE_DAYS,
) -> EquityReport:
    """The daily equity curve of everything stored, its returns, statistics, deepest
    drawdowns and notes (read in one transaction of its own).

    Without ``start_capital`` the stored ledger gives the opening balances and the flows
    (an error when none is stored); with it, the fills alone are folded over that cash.
    """
    capital = None if start_capital is None else v.money(start_capital, "start_capital")
    currency = v.upper_code(currency, "currency")
    with uow_factory() as uow:
        return _equity(uow, capital, currency, prices_exchange, max_stale_days)


def _equity(
    uow: RepositoriesProtocol,
    capital: Decimal | None,
    currency: str,
    prices_exchange: str | None,
    max_stale_days: int = MAX_STALE_DAYS,
) -> EquityReport:
    """Two streamed passes over the fills (and ledger): the first sizes the curve, the
    second folds it; memory is O(days), not O(fills) (docs/performance.md)."""
    closes = load_closes(uow, prices_exchange)
    has_ledger = bool(uow.ledger.exchanges())
    if capital is None and not has_ledger:
        raise InvalidValueError(
            "start_capital",
            "no ledger is stored: give the start capital (or import the ledger, whose "
            "deposits and withdrawals then give the opening balances and flows)",
        )
    from_ledger = capital is None
    opening = ledger_opening(uow.ledger.stream()) if from_ledger else LedgerOpening({}, {})
    starts = opening.starts

    def marked() -> Iterator[tuple[FillRecord, bool]]:
        for fill, in_ledger in uow.fills.stream_with_ledger_marks():
            yield fill, from_ledger and covers(starts, fill, in_ledger)

    def moves() -> Iterator[Movement]:
        return movements(uow.ledger.stream_by_time()) if from_ledger else iter(())

    span = CurveSpan()
    before = outside = 0
    for fill, covered in marked():
        span.fill(fill, covered)
        before += before_start(starts, fill)
        outside += fill.exchange in starts and not covered
    for move in moves():
        span.move(move)
    curve = streamed_curve(
        span,
        marked(),
        moves(),
        uow.fills.closed_exits(),
        closes,
        currency=currency,
        start_capital=capital,
        opening=opening.opening if from_ledger else None,
        max_stale_days=max_stale_days,
    )
    counts = (
        FillsCount(before_ledger=before, not_in_ledger=outside) if from_ledger else FillsCount()
    )
    return _report(curve, capital, currency, counts, has_ledger, max_stale_days)


def _report(
    curve: AccountCurve,
    capital: Decimal | None,
    currency: str,
    counts: FillsCount,
    has_ledger: bool,
    max_stale_days: int,
) -> EquityReport:
    """Returns, statistics and drawdowns of ``curve``: of the equity itself in fills mode
    (no flow: the same as time-weighted), of the time-weighted index in ledger mode."""
    days = curve.days
    weighted = time_weighted(
        curve.opening_value, [DailyMark(day.equity, day.flows) for day in days]
    )
    if capital is not None:
        points = [(day.date, day.equity) for day in days]
        statistics = daily_statistics(capital, points)
        found = drawdowns(capital, points)
        days = [
            attrs.evolve(day, daily_return=r) for day, r in zip(days, weighted.returns, strict=True)
        ]
    else:
        index = weighted.index
        points = [(day.date, level) for day, level in zip(days, index, strict=True)]
        statistics = daily_statistics(Decimal(1), points)
        found = drawdowns(Decimal(1), points)
        days = _index_drawdowns(days, weighted.returns, index)
    return EquityReport(
        currency=currency,
        start_capital=capital,
        days=days,
        statistics=statistics,
        drawdowns=deepest_drawdowns(found),
        source="fills" if capital is not None else "ledger",
        opening_value=v.tidy(curve.opening_value),
        opening_balances=curve.opening_balances,
        flows=curve.flows,
        twr=weighted.total,
        xirr=xirr(_cash_flows(curve)),
        end=curve.end,
        stale_prices=curve.stale_prices,
        negative_balances=curve.negative_balances,
        undefined_returns=[days[i].date for i in weighted.undefined],
        unvalued=curve.unvalued,
        fills=counts,
        ledger_ignored=capital is not None and has_ledger,
        max_stale_days=max_stale_days,
    )


def _index_drawdowns(
    days: list[EquityDay], returns: Sequence[Decimal | None], index: Sequence[Decimal]
) -> list[EquityDay]:
    """The days with their return and the drawdown of the growth index (flows are not losses)."""
    peak = Decimal(1)
    out = []
    with v.exact():
        for day, daily, level in zip(days, returns, index, strict=True):
            peak = max(peak, level)
            drawdown = v.quantize_computed(level / peak - 1) if peak > 0 else Decimal(0)
            out.append(attrs.evolve(day, daily_return=daily, drawdown=drawdown))
    return out


def _cash_flows(curve: AccountCurve) -> list[tuple[datetime, Decimal]]:
    """The investor's flows: the opening value and deposits paid in (negative), the
    withdrawals and the last day's equity taken out (positive)."""
    first = datetime.combine(curve.days[0].date, time(), tzinfo=UTC)
    flows = [(first, -curve.opening_value)]
    flows += [(flow.at, -flow.value) for flow in curve.flows if flow.at < curve_end(curve)]
    flows.append((curve_end(curve), curve.days[-1].equity))
    return flows


def curve_end(curve: AccountCurve) -> datetime:
    """The end of the curve's last day."""
    return day_end(curve.days[-1].date)


def _snapshot_positions(report: EquityReport, day: EquityDay) -> dict[str, Any]:
    positions: dict[str, Any] = {
        REBUILD_MARK: {
            "market_value": "0",
            "currency": report.currency,
            "start_capital": str(report.start_capital or report.opening_value),
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
        capital = report.start_capital or Decimal(0)
        cash = capital + balances.get(report.currency, Decimal(0))
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
        (datetime.combine(first, time(), tzinfo=UTC), report.opening_value)
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
