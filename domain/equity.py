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

Realized PnL is each closed trade's ``realized_pnl`` (in its quote) counted on its exit
day and converted at that day's rate; fees are each fill's commission converted at the
fill day's rate. ``unrealized = equity - start_capital - realized``; ``drawdown =
equity / running peak - 1`` (a fraction at or below zero), the peak starting at
``start_capital``. Sums and products are exact; a quotient (an inverted rate, the
drawdown) is rounded to 18 places, half-even.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import attrs

from gal_friday.domain import values as v
from gal_friday.domain.enums import Side
from gal_friday.domain.errors import InvalidValueError, MissingConversionRateError
from gal_friday.domain.fill import FillView
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
    #: Net amount of each asset the fills moved by the end of the day (not the capital).
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


def _apply(balances: dict[str, Decimal], fill: FillView, base: str, quote: str) -> None:
    """Add what ``fill`` moved to ``balances`` (in an exact context)."""
    notional = fill.quantity_filled * fill.fill_price
    if fill.side is Side.BUY:
        balances[base] = balances.get(base, _ZERO) + fill.quantity_filled
        balances[quote] = balances.get(quote, _ZERO) - notional
    else:
        balances[base] = balances.get(base, _ZERO) - fill.quantity_filled
        balances[quote] = balances.get(quote, _ZERO) + notional
    asset = fill.commission_asset
    balances[asset] = balances.get(asset, _ZERO) - fill.commission


def _last_day(book: PriceBook, assets: Iterable[str], first: date) -> date:
    last: date | None = None
    for asset in sorted(assets):
        for pair in book.pairs_for(asset, first):
            pair_last = book.last_day(pair)
            if pair_last is None:
                raise MissingConversionRateError(
                    f"no {pair} candle closes by the end of {first.isoformat()}: "
                    f"import {pair} prices (gal-friday prices import)"
                )
            last = pair_last if last is None else min(last, pair_last)
    return last if last is not None else first


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
    capital = v.money(start_capital, "start_capital")
    book = PriceBook(closes, currency)
    ordered = sorted(fills, key=lambda fill: (fill.filled_at, fill.fill_id))
    if not ordered:
        raise InvalidValueError("fills", "no fills stored: an equity curve needs at least one")
    first = ordered[0].filled_at.astimezone(UTC).date()
    legs = {pair: v.split_pair(pair) for pair in {fill.trading_pair for fill in ordered}}
    assets = {asset for leg in legs.values() for asset in leg}
    assets.update({fill.commission_asset for fill in ordered})
    last = _last_day(book, assets, first)
    if last < first:
        raise MissingConversionRateError(
            f"the prices end on {last.isoformat()}, before the first fill's day {first.isoformat()}"
        )
    exits: dict[date, list[Trade]] = {}
    for trade in closed_trades:
        if trade.exit_timestamp is not None:
            exits.setdefault(trade.exit_timestamp.astimezone(UTC).date(), []).append(trade)

    balances: dict[str, Decimal] = {}
    realized = fees = _ZERO
    peak = capital
    rows: list[EquityDay] = []
    index = 0
    day = first
    with v.exact():
        while day <= last:
            end = day_end(day)
            while index < len(ordered) and ordered[index].filled_at < end:
                fill = ordered[index]
                _apply(balances, fill, *legs[fill.trading_pair])
                if fill.commission:
                    fees += fill.commission * book.rate(fill.commission_asset, day)
                index += 1
            for trade in exits.get(day, []):
                quote = v.split_pair(trade.trading_pair)[1]
                realized += trade.realized_pnl * book.rate(quote, day)
            rates = {asset: book.rate(asset, day) for asset, amount in balances.items() if amount}
            equity = capital + sum((balances[asset] * rate for asset, rate in rates.items()), _ZERO)
            peak = max(peak, equity)
            rows.append(
                EquityDay(
                    date=day,
                    equity=v.tidy(equity),
                    realized_pnl=v.tidy(realized),
                    unrealized_pnl=v.tidy(equity - capital - realized),
                    fees=v.tidy(fees),
                    drawdown=v.quantize_computed(equity / peak - 1),
                    balances=dict(balances),
                    rates=rates,
                )
            )
            day += _DAY
    return rows
