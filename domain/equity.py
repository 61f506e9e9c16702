"""Daily mark-to-market equity in one reporting currency (docs/analytics.md, "Equity").

``equity(d) = start_capital + Σ_asset balance_asset(d) × rate_asset(d)`` where
``balance_asset(d)`` is the net amount of the asset the fills moved up to the end of
UTC day ``d`` (base bought and sold, quote paid and received, fees in whatever asset
they were paid) and ``rate_asset(d)`` its value in the reporting currency on day ``d``:

* the reporting currency itself is worth 1;
* otherwise the close of the latest candle of ``ASSET/CURRENCY`` that closes at or before
  the end of ``d``; failing such a pair, ``1 / close`` of ``CURRENCY/ASSET``; failing that,
  through the asset's quote: ETH as ``ETH/BTC × BTC/USD`` (the shortest chain of pairs,
  alphabetical among equals). No pair at all, or no candle closed by the end of ``d``,
  is a :class:`MissingConversionRateError` naming the asset or pair and the day.

:func:`account_curve` also folds a ledger's movements (:mod:`gal_friday.domain.ledger_holdings`):
opening balances instead of a start capital, deposits and withdrawals as flows (at the
start of their day, at the previous day's close), rewards as income; a fill already in
the ledger is not folded twice. It notes where the curve ends and why, closes carried
forward too long and balances below zero (:mod:`gal_friday.domain.equity_notes`).

Realized PnL is each closed trade's ``realized_pnl`` (in its quote) counted on its exit
day and converted at that day's rate; fees are each fill's commission converted at the
fill day's rate. ``unrealized = equity - invested - realized - income`` (``invested``:
the start capital, or the opening value plus the flows so far); ``drawdown =
equity / running peak - 1`` (a fraction at or below zero), the peak starting at
``start_capital``. Sums and products are exact; a quotient (an inverted rate, the
drawdown) is rounded to 18 places, half-even.
"""

from __future__ import annotations

import itertools
from bisect import bisect_right
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence, Set
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum

import attrs

from gal_friday.domain import values as v
from gal_friday.domain.enums import Side
from gal_friday.domain.equity_notes import (
    MAX_STALE_DAYS,
    CurveEnd,
    NegativeBalance,
    NegativeTracker,
    StalePrice,
    StaleTracker,
)
from gal_friday.domain.errors import InvalidValueError, MissingConversionRateError
from gal_friday.domain.fill import MARGIN_MARK, FillView
from gal_friday.domain.ledger import KFEE
from gal_friday.domain.ledger_kinds import base_asset
from gal_friday.domain.trade import Trade

#: ``(close time, close)`` of a pair's candles, in close-time order.
Closes = Sequence[tuple[datetime, Decimal]]
_ONE = Decimal(1)
_ZERO = Decimal(0)
_DAY = timedelta(days=1)
#: A conversion step: (pair, inverted).
Step = tuple[str, bool]


def day_end(day: date) -> datetime:
    """The end of a UTC day: the next day's 00:00 UTC."""
    return datetime.combine(day + _DAY, time(), tzinfo=UTC)


def day_of_close(close_time: datetime) -> date:
    """The first UTC day whose end a close at ``close_time`` is at or before."""
    shifted = close_time - timedelta(microseconds=1)
    return shifted.astimezone(UTC).date()


@attrs.frozen
class EquityDay:
    """One UTC day of the equity curve (amounts in the reporting currency)."""

    date: date
    equity: Decimal
    realized_pnl: Decimal
    unrealized_pnl: Decimal
    fees: Decimal
    drawdown: Decimal
    #: Net external flows (deposits +, withdrawals -) taken at the start of the day.
    flows: Decimal = _ZERO
    #: Cumulative income (rewards; holdings that came at no cost), each at its day's close.
    income: Decimal = _ZERO
    #: The day's time-weighted return (None: undefined or not computed; docs/analytics.md).
    daily_return: Decimal | None = None
    #: Net amount of each asset held by the end of the day (not the start capital).
    balances: Mapping[str, Decimal] = attrs.field(factory=dict, eq=False, repr=False)
    #: The value of one unit of each held asset in the reporting currency that day.
    rates: Mapping[str, Decimal] = attrs.field(factory=dict, eq=False, repr=False)


class PriceBook:
    """Closes of every pair, and the value of any asset in the reporting currency on a day."""

    def __init__(self, closes: Mapping[str, Closes], currency: str) -> None:
        self.currency = v.upper_code(currency, "currency")
        self._times: dict[str, list[datetime]] = {}
        self._closes: dict[str, list[Decimal]] = {}
        for pair, points in closes.items():
            ordered = sorted(points, key=lambda point: point[0])
            self._times[pair] = [at for at, _ in ordered]
            self._closes[pair] = [close for _, close in ordered]
        self._paths: dict[str, list[Step]] = {}

    @property
    def pairs(self) -> list[str]:
        """Every pair with closes."""
        return sorted(self._times)

    def close(self, pair: str, day: date) -> Decimal:
        """The close of the latest candle of ``pair`` that closes by the end of ``day``."""
        times = self._times.get(pair, [])
        index = bisect_right(times, day_end(day))
        if index == 0:
            raise MissingConversionRateError(
                f"no {pair} candle closes by the end of {day.isoformat()}: "
                f"import {pair} prices covering that day (gal-friday prices import)"
            )
        return self._closes[pair][index - 1]

    def close_day(self, pair: str, day: date) -> date:
        """The day of the close :meth:`close` reads for ``day`` (earlier: carried forward)."""
        times = self._times.get(pair, [])
        index = bisect_right(times, day_end(day))
        if index == 0:
            self.close(pair, day)  # raises, naming the pair and the day
        return day_of_close(times[index - 1])

    def last_day(self, pair: str) -> date | None:
        """The last day a close of ``pair`` is known by (None without candles)."""
        times = self._times.get(pair)
        return day_of_close(times[-1]) if times else None

    def path(self, asset: str, day: date) -> list[Step]:
        """The pairs that value ``asset`` in the reporting currency (see the module docstring)."""
        if asset not in self._paths:
            self._paths[asset] = self._find_path(asset, day)
        return self._paths[asset]

    def _find_path(self, asset: str, day: date) -> list[Step]:
        if asset == self.currency:
            return []
        edges: dict[str, list[Step]] = {}
        for pair in self.pairs:
            base, quote = v.split_pair(pair)
            edges.setdefault(base, []).append((pair, False))
            edges.setdefault(quote, []).append((pair, True))
        for steps in edges.values():  # direct pairs first, then inverted, each alphabetical
            steps.sort(key=lambda step: (step[1], step[0]))
        queue: deque[tuple[str, list[Step]]] = deque([(asset, [])])
        seen = {asset}
        while queue:
            current, steps = queue.popleft()
            for pair, inverted in edges.get(current, []):
                base, quote = v.split_pair(pair)
                other = base if inverted else quote
                if other in seen:
                    continue
                chain = [*steps, (pair, inverted)]
                if other == self.currency:
                    return chain
                seen.add(other)
                queue.append((other, chain))
        raise MissingConversionRateError(
            f"no price of {asset} in {self.currency} on {day.isoformat()}: import candles of "
            f"{asset}/{self.currency} (or of {asset} against an asset priced in {self.currency})"
        )

    def rate(self, asset: str, day: date) -> Decimal:
        """The value of one unit of ``asset`` in the reporting currency on ``day``."""
        rate = _ONE
        with v.exact():
            for pair, inverted in self.path(asset, day):
                close = self.close(pair, day)
                rate = rate / close if inverted else rate * close
        return rate

    def pairs_for(self, asset: str, day: date) -> list[str]:
        """The pairs the value of ``asset`` is read from."""
        return [pair for pair, _ in self.path(asset, day)]


class MoveKind(StrEnum):
    """What a ledger movement is for the curve."""

    #: A deposit or withdrawal: money in or out, never profit.
    FLOW = "flow"
    #: A reward: a holding that came at no cost (part of the return).
    INCOME = "income"
    #: Anything else the ledger booked (trades, conversions, margin, wallet moves).
    HOLDING = "holding"


@attrs.frozen
class Movement:
    """What one ledger row did to holdings: ``change`` (amount - fee) of ``asset`` at ``at``."""

    at: datetime
    asset: str
    change: Decimal
    kind: MoveKind = MoveKind.HOLDING
    #: False for a second movement of the same row (a flow's fee): rows are counted once.
    counted: bool = True


@attrs.frozen
class FlowValue:
    """A flow of ``amount`` of ``asset`` at ``at``, worth ``value`` in the reporting currency."""

    at: datetime
    asset: str
    amount: Decimal
    value: Decimal


@attrs.frozen
class AccountCurve:
    """The daily curve and what it says about itself (:mod:`gal_friday.domain.equity_notes`)."""

    days: list[EquityDay]
    #: The holdings before the first day (the start capital's cash included), valued.
    opening_value: Decimal
    opening_balances: Mapping[str, Decimal]
    flows: list[FlowValue]
    end: CurveEnd
    stale_prices: list[StalePrice]
    negative_balances: list[NegativeBalance]
    #: Assets held that nothing values (Kraken's KFEE fee credits): left out of the equity.
    unvalued: list[str]


def valued_as(asset: str) -> str | None:
    """The asset whose price values ``asset`` (``DOT.S`` -> ``DOT``, a margin position's
    ``ADA.MARGIN`` -> ``ADA``); None for ``KFEE`` (fee credits, not valued)."""
    if asset == KFEE:
        return None
    return base_asset(asset.removesuffix(MARGIN_MARK))


def _last_day(
    book: PriceBook, assets: Iterable[str], first: date, fallback: date
) -> tuple[date, str | None]:
    """The earliest last close over the pairs valuing ``assets``, and its pair."""
    last: date | None = None
    short: str | None = None
    for asset in sorted(assets):
        for pair in book.pairs_for(asset, first):
            pair_last = book.last_day(pair)
            if pair_last is None:
                raise MissingConversionRateError(
                    f"no {pair} candle closes by the end of {first.isoformat()}: "
                    f"import {pair} prices (gal-friday prices import)"
                )
            if last is None or pair_last < last:
                last, short = pair_last, pair
    return (last, short) if last is not None else (fallback, None)


def _rate_at_start(book: PriceBook, asset: str, day: date) -> Decimal:
    """The value of ``asset`` at the start of ``day``: the previous day's close, or the
    day's own when no candle had closed by then (the first priced day)."""
    try:
        return book.rate(asset, day - _DAY)
    except MissingConversionRateError:
        return book.rate(asset, day)


def equity_curve(
    fills: Iterable[FillView],
    closed_trades: Iterable[Trade],
    closes: Mapping[str, Closes],
    *,
    start_capital: Decimal,
    currency: str,
) -> list[EquityDay]:
    """One :class:`EquityDay` per UTC day from the first fill's day to the last priced day.

    The last priced day is the last day on which every pair that values a traded asset has
    a close (the earliest of their last closes), so no asset is marked at a stale price.
    ``fills`` are read in time order; trades without an exit are ignored.
    """
    return account_curve(
        fills, closed_trades, closes, start_capital=start_capital, currency=currency
    ).days


def account_curve(
    fills: Iterable[FillView],
    closed_trades: Iterable[Trade],
    closes: Mapping[str, Closes],
    *,
    currency: str,
    start_capital: Decimal | None = None,
    opening: Mapping[str, Decimal] | None = None,
    movements: Iterable[Movement] = (),
    covered: Set[tuple[str, str]] = frozenset(),
    max_stale_days: int = MAX_STALE_DAYS,
) -> AccountCurve:
    """The daily curve of the fills and ledger ``movements`` (docs/analytics.md).

    ``start_capital`` is cash in ``currency`` before the first day; ``opening`` the
    holdings per asset before it (a ledger's inferred opening balances). A fill whose
    ``(exchange, fill_id)`` is in ``covered`` is already among the movements (its ledger
    rows): its fee counts, its amounts are not folded twice. ``FLOW`` movements are taken
    at the start of their day at the previous day's close; ``INCOME`` adds to ``income``
    at its day's close. The same curve as :func:`streamed_curve`, from collections.
    """
    ordered = sorted(fills, key=lambda fill: (fill.filled_at, fill.fill_id))
    marked = [(fill, (fill.exchange, fill.fill_id) in covered) for fill in ordered]
    moves = sorted(movements, key=lambda move: move.at)
    span = CurveSpan()
    for fill, in_ledger in marked:
        span.fill(fill, in_ledger)
    for move in moves:
        span.move(move)
    exits = sorted(
        (
            (trade.exit_timestamp, trade.trading_pair, trade.realized_pnl)
            for trade in closed_trades
            if trade.exit_timestamp is not None
        ),
        key=lambda exit_: exit_[0].astimezone(UTC).date(),
    )
    return streamed_curve(
        span,
        marked,
        moves,
        exits,
        closes,
        currency=currency,
        start_capital=start_capital,
        opening=opening,
        max_stale_days=max_stale_days,
    )


#: A closed trade's exit: ``(exit time, pair, realized PnL in the pair's quote)``.
Exit = tuple[datetime, str, Decimal]


class CurveSpan:
    """What the curve needs to know of its inputs before folding them (one pass, O(pairs)):
    the first and last times, the pairs, which pairs fold amounts, the assets held."""

    def __init__(self) -> None:
        self.first: datetime | None = None
        self.last: datetime | None = None
        self.pairs: set[str] = set()
        self.folded: set[str] = set()
        self.assets: set[str] = set()

    def _saw(self, at: datetime) -> None:
        if self.first is None or at < self.first:
            self.first = at
        if self.last is None or at > self.last:
            self.last = at

    def fill(self, fill: FillView, covered: bool) -> None:
        """Note ``fill`` (``covered``: its amounts are already in the ledger's movements)."""
        self._saw(fill.filled_at)
        self.pairs.add(fill.trading_pair)
        if not covered:
            self.folded.add(fill.trading_pair)
        if fill.commission:
            self.assets.add(fill.commission_asset)
        self.assets.update(fill.extra_commissions)

    def move(self, move: Movement) -> None:
        """Note a ledger movement."""
        self._saw(move.at)
        self.assets.add(move.asset)


def streamed_curve(
    span: CurveSpan,
    fills: Iterable[tuple[FillView, bool]],
    movements: Iterable[Movement],
    exits: Iterable[Exit],
    closes: Mapping[str, Closes],
    *,
    currency: str,
    start_capital: Decimal | None = None,
    opening: Mapping[str, Decimal] | None = None,
    max_stale_days: int = MAX_STALE_DAYS,
) -> AccountCurve:
    """:func:`account_curve` folded from streams, holding O(days) rows, not the history.

    ``span`` has seen every fill and movement (:class:`CurveSpan`); ``fills`` come as
    ``(fill, covered)`` in ``(filled_at, fill_id)`` order, ``movements`` in time order,
    ``exits`` by UTC exit day (within a day in the trades' order). Each is read once.
    """
    capital = _ZERO if start_capital is None else v.money(start_capital, "start_capital")
    book = PriceBook(closes, currency)
    if span.first is None or span.last is None:
        raise InvalidValueError("fills", "no fills stored: an equity curve needs at least one")
    first = span.first.astimezone(UTC).date()
    legs = {pair: v.split_pair(pair) for pair in span.pairs}
    held = {asset for pair in span.folded for asset in legs[pair]}
    held.update(span.assets)
    held.update(opening or {})
    assets = {valued_as(asset) for asset in held} - {None, book.currency}
    last, short = _last_day(book, {a for a in assets if a}, first, span.last.astimezone(UTC).date())
    if last < first:
        raise MissingConversionRateError(
            f"the prices end on {last.isoformat()}, before the first fill's day {first.isoformat()}"
        )
    fold = _Fold(book, capital, dict(opening or {}), legs, max_stale_days)
    days = fold.run(iter(fills), iter(movements), iter(exits), first, last, span.first)
    return AccountCurve(
        days=days,
        opening_value=fold.opening_value,
        opening_balances={a: v.tidy(x) for a, x in sorted((opening or {}).items()) if x},
        flows=fold.flows,
        end=CurveEnd(
            last_day=last,
            pair=short,
            fills_after=fold.fills_after,
            rows_after=fold.rows_after,
        ),
        stale_prices=fold.stale.found(),
        negative_balances=fold.negative.found(),
        unvalued=sorted(asset for asset in held if valued_as(asset) is None),
    )


class _Fold:
    """The running state of :func:`account_curve` (balances, sums, notes)."""

    def __init__(
        self,
        book: PriceBook,
        capital: Decimal,
        opening: dict[str, Decimal],
        legs: dict[str, tuple[str, str]],
        max_stale_days: int,
    ) -> None:
        self.book = book
        self.capital = capital
        self.balances = {asset: amount for asset, amount in opening.items() if amount}
        self.legs = legs
        self.stale = StaleTracker(max_stale_days)
        self.negative = NegativeTracker()
        self.flows: list[FlowValue] = []
        self.opening_value = capital
        self.realized = self.fees = self.income = _ZERO
        self.flows_today = _ZERO
        #: Fills and counted ledger rows after the last day (read to the end of the streams).
        self.fills_after = self.rows_after = 0

    def _add(self, asset: str, change: Decimal, at: datetime) -> None:
        """Move ``change`` of ``asset``; note a balance going below zero."""
        balance = self.balances[asset] = self.balances.get(asset, _ZERO) + change
        if balance < 0:
            self._negative(asset, balance, at)

    def _negative(self, asset: str, balance: Decimal, at: datetime) -> None:
        """Note ``asset`` below zero (the reporting currency counting the start capital)."""
        if not asset.endswith(MARGIN_MARK):  # a margin position may be short
            cash = self.capital if asset == self.book.currency else _ZERO
            self.negative.saw(asset, balance + cash, at)

    def _value(self, asset: str, amount: Decimal, day: date) -> Decimal:
        """``amount`` of ``asset`` in the reporting currency on ``day`` (0: not valued)."""
        if asset == self.book.currency:
            return amount
        valued = valued_as(asset)
        return amount * self.book.rate(valued, day) if valued else _ZERO

    def _fill(self, fill: FillView, covered: bool, day: date) -> None:
        if not covered:
            legs = self.legs.get(fill.trading_pair)
            if legs is None:  # stored between the span's pass and this one: folded all the same
                legs = self.legs[fill.trading_pair] = v.split_pair(fill.trading_pair)
            base, quote = legs
            quantity = fill.quantity_filled
            notional = quantity * fill.fill_price
            if fill.side is Side.SELL:
                quantity, notional = -quantity, -notional
            balances = self.balances  # inlined: the hot loop of a large history
            held = balances[base] = balances.get(base, _ZERO) + quantity
            cash = balances[quote] = balances.get(quote, _ZERO) - notional
            if held < 0:
                self._negative(base, held, fill.filled_at)
            if cash < 0:
                self._negative(quote, cash, fill.filled_at)
            if fill.commission:
                self._add(fill.commission_asset, -fill.commission, fill.filled_at)
            for asset, amount in fill.extra_commissions.items():
                self._add(asset, -amount, fill.filled_at)
        if fill.commission:
            self.fees += self._value(fill.commission_asset, fill.commission, day)
        for asset, amount in fill.extra_commissions.items():
            self.fees += self._value(asset, amount, day)

    def _movement(self, move: Movement, day: date) -> None:
        self._add(move.asset, move.change, move.at)
        valued = valued_as(move.asset)
        if move.kind is MoveKind.FLOW:
            rate = _rate_at_start(self.book, valued, day) if valued else None
            value = move.change * rate if rate is not None else _ZERO
            self.flows_today += value
            self.flows.append(FlowValue(move.at, move.asset, v.tidy(move.change), v.tidy(value)))
        elif move.kind is MoveKind.INCOME and valued:
            self.income += move.change * self.book.rate(valued, day)

    def run(
        self,
        fills: Iterator[tuple[FillView, bool]],
        moves: Iterator[Movement],
        exits: Iterator[Exit],
        first: date,
        last: date,
        start: datetime,
    ) -> list[EquityDay]:
        """One row per day from ``first`` to ``last``; fills and movements in time order
        (a fill before a movement of the same time); ``start`` is the first one's time.
        Each stream is read once; what lies after ``last`` is counted."""
        book = self.book
        rows: list[EquityDay] = []
        marked = next(fills, None)
        move = next(moves, None)
        exit_ = next(exits, None)
        day = first
        with v.exact():
            for asset, amount in sorted(self.balances.items()):
                valued = valued_as(asset)
                self.negative.saw(asset, amount, start)
                if valued:
                    self.opening_value += amount * _rate_at_start(book, valued, first)
            invested = self.opening_value
            peak = self.opening_value
            while day <= last:
                end = day_end(day)
                self.flows_today = _ZERO
                while True:
                    if (
                        marked is not None
                        and marked[0].filled_at < end
                        and (move is None or marked[0].filled_at <= move.at)
                    ):
                        self._fill(marked[0], marked[1], day)
                        marked = next(fills, None)
                    elif move is not None and move.at < end:
                        self._movement(move, day)
                        move = next(moves, None)
                    else:
                        break
                invested += self.flows_today
                while exit_ is not None and exit_[0].astimezone(UTC).date() <= day:
                    if exit_[0].astimezone(UTC).date() == day:
                        quote = v.split_pair(exit_[1])[1]
                        self.realized += exit_[2] * book.rate(quote, day)
                    exit_ = next(exits, None)
                rates = self._rates(day)
                equity = self.capital + sum(
                    (self.balances[asset] * rate for asset, rate in rates.items()), _ZERO
                )
                peak = max(peak, equity)
                rows.append(
                    EquityDay(
                        date=day,
                        equity=v.tidy(equity),
                        realized_pnl=v.tidy(self.realized),
                        unrealized_pnl=v.tidy(equity - invested - self.realized - self.income),
                        fees=v.tidy(self.fees),
                        drawdown=v.quantize_computed(equity / peak - 1) if peak > 0 else _ZERO,
                        flows=v.tidy(self.flows_today),
                        income=v.tidy(self.income),
                        balances=dict(self.balances),
                        rates=rates,
                    )
                )
                day += _DAY
        self.fills_after = (marked is not None) + sum(1 for _ in fills)
        rest = [move] if move is not None else []
        self.rows_after = sum(1 for row in itertools.chain(rest, moves) if row.counted)
        return rows

    def _rates(self, day: date) -> dict[str, Decimal]:
        """The rate of every valued asset held on ``day``; notes the closes carried."""
        rates: dict[str, Decimal] = {}
        for asset, amount in self.balances.items():
            valued = valued_as(asset)
            if not amount or valued is None:
                continue
            rates[asset] = self.book.rate(valued, day)
            for pair in self.book.pairs_for(valued, day):
                self.stale.saw(pair, self.book.close_day(pair, day), day)
        return rates
