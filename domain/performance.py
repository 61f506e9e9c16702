"""Performance of round-trip trades: per pair, and totals per quote currency.

The arithmetic behind ``gal-friday report`` and any later statistics
(``docs/reporting.md``):

* ``since``/``until`` select *closed* trades by exit time, ``[since, until)``;
  open trades are always listed.
* ``trades``, ``wins``, ``losses``, ``realized_pnl``, ``total_commission``,
  ``best_trade`` and ``worst_trade`` count closed trades only. A trade with a
  realized PnL of exactly zero is neither a win nor a loss.
* ``pnl_pct = 100 * sum(realized_pnl) / sum(entry_cash)`` over the closed trades,
  ``entry_cash`` being the entry notional plus (LONG) or minus (SHORT) the entry
  commissions. Sums are exact; the quotient is kept at 80 significant digits and
  rounded only for display. None when the entry cash is not positive.
* What open trades realized so far (partial exits of a position still open) is never
  hidden: :attr:`Performance.realized_totals` puts it per currency beside the closed
  trades' PnL (always in the pair's own quote: open trades are never converted).
  :attr:`Performance.ledger_margin` adds, per currency, what margin rows of the ledger
  realized where no margin fill carries them (``ledgers.csv`` imported alone;
  docs/ledgers.md, "Margin"), so the realized total is the same with or without trades.csv.
* ``groups(by)`` totals the closed trades per strategy, signal or exit reason
  (:mod:`gal_friday.domain.attribution_groups`); each currency's rows sum to its total.
* Amounts are in the pair's quote currency, so totals are per quote currency:
  USD and BTC are never added together; unless the trades were converted to one
  reporting currency first (:mod:`gal_friday.domain.conversion`), then ``currency``
  names it and there is one total.

Sums run in the exact decimal context (:func:`~gal_friday.domain.values.exact`).
"""

from __future__ import annotations

import operator
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal

import attrs

from gal_friday.domain import values as v
from gal_friday.domain.attribution_groups import GroupTotals, group_totals
from gal_friday.domain.enums import TradeGrouping, TradeSide
from gal_friday.domain.errors import InvalidValueError
from gal_friday.domain.periods import PeriodTotals, period_totals
from gal_friday.domain.statistics import (
    TradeStatistics,
    trade_statistics,
    trade_statistics_by_currency,
    trade_statistics_by_pair,
)
from gal_friday.domain.trade import ReportedTrade

ZERO = Decimal(0)


def quote_currency(trading_pair: str) -> str:
    """``"DOT/BTC"`` -> ``"BTC"``: the currency a pair's amounts are in."""
    return v.split_pair(trading_pair)[1]


def in_period(trade: ReportedTrade, since: datetime | None, until: datetime | None) -> bool:
    """True when ``trade`` is closed and exited in ``[since, until)``."""
    exit_time = trade.exit_timestamp
    if exit_time is None:
        return False
    return (since is None or exit_time >= since) and (until is None or exit_time < until)


def check_period(since: datetime | None, until: datetime | None) -> None:
    """Refuse a period that ends before (or when) it starts."""
    if since is not None and until is not None and since >= until:
        raise InvalidValueError(
            "since", f"{since.isoformat()} is not before until {until.isoformat()}"
        )


def _pct(pnl: Decimal, entry_cash: Decimal) -> Decimal | None:
    return 100 * pnl / entry_cash if entry_cash > 0 else None


@attrs.frozen
class OpenPosition:
    """An open trade: what is held and what it realized so far."""

    trading_pair: str
    exchange: str
    side: TradeSide
    quantity_held: Decimal
    average_entry_price: Decimal
    realized_pnl: Decimal
    entry_timestamp: datetime

    @classmethod
    def of(cls, trade: ReportedTrade) -> OpenPosition:
        """The open position of an open trade."""
        return cls(
            trading_pair=trade.trading_pair,
            exchange=trade.exchange,
            side=trade.side,
            quantity_held=trade.open_quantity,
            average_entry_price=trade.average_entry_price,
            realized_pnl=trade.realized_pnl,
            entry_timestamp=trade.entry_timestamp,
        )


@attrs.frozen
class PairPerformance:
    """The closed-trade figures of one pair on one exchange, and its open trades."""

    trading_pair: str
    exchange: str
    grouping: TradeGrouping
    trades: int
    wins: int
    losses: int
    realized_pnl: Decimal
    total_commission: Decimal
    entry_cash: Decimal
    best_trade: Decimal | None
    worst_trade: Decimal | None
    open_trades: tuple[OpenPosition, ...]
    #: The closed trades counted above, by exit time (what a chart of this pair draws).
    closed_trades: tuple[ReportedTrade, ...] = attrs.field(repr=False, eq=False)
    #: Some fill's fee comes from Kraken's trades.csv alone, not its ledger (``docs/ledgers.md``).
    fees_from_trades_csv_only: bool = False
    #: The reporting currency the closed trades were converted to (None: their quote).
    currency: str | None = None

    @property
    def quote(self) -> str:
        """The currency of every closed-trade amount of this pair."""
        return self.currency or quote_currency(self.trading_pair)

    @property
    def pnl_pct(self) -> Decimal | None:
        """``100 * realized_pnl / entry_cash`` (80 significant digits), None without entry cash."""
        with v.exact():
            return _pct(self.realized_pnl, self.entry_cash)

    @property
    def open_realized_pnl(self) -> Decimal:
        """What the open trades realized so far, in the pair's quote (never converted)."""
        with v.exact():
            return v.tidy(sum((t.realized_pnl for t in self.open_trades), ZERO))


@attrs.frozen
class CurrencyTotals:
    """The closed-trade figures of every pair quoted in one currency."""

    currency: str
    pairs: int
    trades: int
    wins: int
    losses: int
    realized_pnl: Decimal
    total_commission: Decimal
    entry_cash: Decimal
    open_trades: int

    @property
    def pnl_pct(self) -> Decimal | None:
        """``100 * realized_pnl / entry_cash`` over the currency's closed trades."""
        with v.exact():
            return _pct(self.realized_pnl, self.entry_cash)


@attrs.frozen
class RealizedTotals:
    """Everything realized in one currency: by the closed trades counted and by open trades."""

    currency: str
    #: The closed trades' realized PnL (the currency's total; 0 without one).
    closed_realized_pnl: Decimal
    #: What open trades realized so far through partial exits.
    open_realized_pnl: Decimal
    open_trades: int
    #: Margin settled in the ledger with no margin fill (no trades.csv): net amount - fee.
    ledger_margin: Decimal = ZERO

    @property
    def realized_pnl(self) -> Decimal:
        """``closed_realized_pnl + open_realized_pnl + ledger_margin``: nothing realized
        left out."""
        with v.exact():
            return v.tidy(self.closed_realized_pnl + self.open_realized_pnl + self.ledger_margin)


@attrs.frozen
class Performance:
    """The performance of a set of trades: per pair, totals per quote currency."""

    pairs: tuple[PairPerformance, ...]
    since: datetime | None
    until: datetime | None
    #: The one reporting currency of every closed-trade amount (None: each pair's quote).
    currency: str | None = None
    #: Per currency, what ledger margin rows without a margin fill realized (in
    #: :attr:`realized_totals`, never in the closed trades' figures).
    ledger_margin: Mapping[str, Decimal] = attrs.field(factory=dict)

    @property
    def totals(self) -> tuple[CurrencyTotals, ...]:
        """One total per quote currency, by currency code."""
        return currency_totals(self.pairs)

    @property
    def total_trades(self) -> int:
        """Closed trades in the report (a count, so it may cross currencies)."""
        return sum(p.trades for p in self.pairs)

    @property
    def groupings(self) -> tuple[TradeGrouping, ...]:
        """The groupings of the pairs, each once, in a stable order."""
        return tuple(sorted({p.grouping for p in self.pairs}, key=lambda g: g.value))

    @property
    def closed_trades(self) -> list[ReportedTrade]:
        """Every closed trade counted, pair by pair."""
        return [trade for pair in self.pairs for trade in pair.closed_trades]

    def statistics_by_pair(self) -> dict[tuple[str, str], TradeStatistics]:
        """Trade statistics per ``(exchange, trading_pair)`` (every listed pair has one)."""
        found = trade_statistics_by_pair(self.closed_trades)
        return {
            (p.exchange, p.trading_pair): found.get((p.exchange, p.trading_pair))
            or trade_statistics([])
            for p in self.pairs
        }

    def statistics_by_currency(self) -> dict[str, TradeStatistics]:
        """Trade statistics per currency of :attr:`totals` (all trades when converted)."""
        trades = self.closed_trades
        found = (
            trade_statistics_by_currency(trades)
            if self.currency is None
            else {self.currency: trade_statistics(trades)}
        )
        return {t.currency: found.get(t.currency) or trade_statistics([]) for t in self.totals}

    @property
    def realized_totals(self) -> tuple[RealizedTotals, ...]:
        """Per currency, by code: the closed trades' PnL, what open trades realized and
        the ledger's margin rows without a margin fill."""
        closed = {total.currency: total.realized_pnl for total in self.totals}
        held: dict[str, list[OpenPosition]] = defaultdict(list)
        for pair in self.pairs:
            for position in pair.open_trades:
                held[quote_currency(position.trading_pair)].append(position)
        with v.exact():
            return tuple(
                RealizedTotals(
                    currency=currency,
                    closed_realized_pnl=closed.get(currency, ZERO),
                    open_realized_pnl=v.tidy(sum((p.realized_pnl for p in held[currency]), ZERO)),
                    open_trades=len(held[currency]),
                    ledger_margin=self.ledger_margin.get(currency, ZERO),
                )
                for currency in sorted(set(closed) | set(held) | set(self.ledger_margin))
            )

    def groups(self, by: str) -> list[GroupTotals]:
        """The closed trades totalled per ``by`` (strategy, signal, exit-reason) and currency
        (sums to :attr:`totals`; an unattributed group per currency where needed)."""
        return group_totals(
            ((pair.quote, trade) for pair in self.pairs for trade in pair.closed_trades), by
        )

    def periods(self, period: str) -> list[PeriodTotals]:
        """The closed trades totalled per exit ``period`` and currency (sums to :attr:`totals`)."""
        return period_totals(
            ((pair.quote, trade) for pair in self.pairs for trade in pair.closed_trades), period
        )


def _pair_grouping(exchange: str, pair: str, trades: Sequence[ReportedTrade]) -> TradeGrouping:
    groupings = {trade.grouping for trade in trades}
    if len(groupings) > 1:
        names = ", ".join(sorted(g.value for g in groupings))
        raise InvalidValueError(
            "grouping",
            f"{pair} ({exchange}) has trades of several groupings ({names}); "
            f"rebuild them with `gal-friday trades rebuild --pair {pair}`",
        )
    return groupings.pop()


#: Closed trades by exit, then entry time (one C call per trade: reports sort 100,000s).
_exit_order = operator.attrgetter("exit_timestamp", "entry_timestamp")
_entry_time = operator.attrgetter("entry_timestamp")


def _pair_performance(
    exchange: str,
    pair: str,
    closed: list[ReportedTrade],
    still_open: list[ReportedTrade],
    currency: str | None,
) -> PairPerformance:
    closed.sort(key=_exit_order)
    still_open.sort(key=_entry_time)
    pnls = [trade.realized_pnl for trade in closed]
    return PairPerformance(
        trading_pair=pair,
        exchange=exchange,
        grouping=_pair_grouping(exchange, pair, [*closed, *still_open]),
        trades=len(closed),
        wins=sum(1 for value in pnls if value > 0),
        losses=sum(1 for value in pnls if value < 0),
        realized_pnl=v.tidy(sum(pnls, ZERO)),
        total_commission=v.tidy(sum((t.total_commission for t in closed), ZERO)),
        entry_cash=v.tidy(sum((t.entry_cash for t in closed), ZERO)),
        best_trade=max(pnls) if pnls else None,
        worst_trade=min(pnls) if pnls else None,
        open_trades=tuple(OpenPosition.of(t) for t in still_open),
        closed_trades=tuple(closed),
        currency=currency,
    )


def summarize(
    trades: Iterable[ReportedTrade],
    since: datetime | None = None,
    until: datetime | None = None,
    currency: str | None = None,
) -> Performance:
    """Per-pair figures of ``trades`` (closed ones filtered by exit time), by exchange and pair.

    ``currency`` says the closed trades' amounts were converted to that one currency.
    Trades may be given as their :class:`~gal_friday.domain.trade.TradeFigures`.

    A pair appears when it has a closed trade in the period or an open trade. Closed trades
    are kept by exit time, open ones by entry time (each stable: ties keep the given order).
    A pair whose trades were built with different groupings is an error (their
    figures would count the same fills twice).
    """
    check_period(since, until)
    closed: dict[tuple[str, str], list[ReportedTrade]] = defaultdict(list)
    still_open: dict[tuple[str, str], list[ReportedTrade]] = defaultdict(list)
    for trade in trades:
        key = (trade.exchange, trade.trading_pair)
        if trade.exit_timestamp is None:
            still_open[key].append(trade)
        elif in_period(trade, since, until):
            closed[key].append(trade)
    with v.exact():
        pairs = tuple(
            _pair_performance(
                exchange, pair, closed[(exchange, pair)], still_open[(exchange, pair)], currency
            )
            for exchange, pair in sorted(set(closed) | set(still_open))
        )
    return Performance(pairs=pairs, since=since, until=until, currency=currency)


def currency_totals(pairs: Iterable[PairPerformance]) -> tuple[CurrencyTotals, ...]:
    """Sum the pairs per quote currency (never across currencies), by currency code."""
    by_currency: dict[str, list[PairPerformance]] = defaultdict(list)
    for pair in pairs:
        by_currency[pair.quote].append(pair)
    totals = []
    with v.exact():
        for currency, group in sorted(by_currency.items()):
            totals.append(
                CurrencyTotals(
                    currency=currency,
                    pairs=len(group),
                    trades=sum(p.trades for p in group),
                    wins=sum(p.wins for p in group),
                    losses=sum(p.losses for p in group),
                    realized_pnl=v.tidy(sum((p.realized_pnl for p in group), ZERO)),
                    total_commission=v.tidy(sum((p.total_commission for p in group), ZERO)),
                    entry_cash=v.tidy(sum((p.entry_cash for p in group), ZERO)),
                    open_trades=sum(len(p.open_trades) for p in group),
                )
            )
    return tuple(totals)
