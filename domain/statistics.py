"""Performance statistics of a daily equity curve and of closed trades (docs/analytics.md).

Daily statistics follow quantstats' and empyrical's definitions with 365 periods a year
and a risk-free rate of 0, from the daily returns ``r(d) = equity(d) / equity(d-1) - 1``
(the day before the first is the start capital), n = the number of returns:

* ``total_return = equity_end / start_capital - 1``
* ``cagr = (equity_end / start_capital) ** (365 / n) - 1`` (None when equity_end <= 0)
* ``volatility = stdev(r, ddof=1) × √365``; ``sharpe = mean(r) / stdev(r, ddof=1) × √365``
* ``sortino = mean(r) / √(Σ min(r, 0)² / n) × √365``
* ``max_drawdown = min(equity / running peak - 1)``, the peak starting at the start capital
* ``calmar = cagr / |max_drawdown|``; ``best_day = max(r)``; ``worst_day = min(r)``
* ``longest_drawdown_days``: the most calendar days from a peak to its recovery (or to the
  last day while still under water).

A ratio whose denominator is zero (or a stdev of fewer than two returns) is None.
Computation runs at 60 significant digits (``Decimal.sqrt`` and ``**`` are correctly
rounded there) and every result is rounded to 18 places, half-even.
"""

from __future__ import annotations

import decimal
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal

import attrs

from gal_friday.domain import values as v
from gal_friday.domain.errors import InvalidValueError, NonPositiveEquityError
from gal_friday.domain.trade import ReportedTrade

PERIODS_PER_YEAR = 365
#: How many drawdowns the report lists.
DEEPEST = 5
_CONTEXT = decimal.Context(
    prec=60,
    rounding=decimal.ROUND_HALF_EVEN,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)
_ZERO = Decimal(0)


def _out(value: Decimal | None) -> Decimal | None:
    return None if value is None else v.quantize_computed(value)


def _ratio(numerator: Decimal | None, denominator: Decimal | None) -> Decimal | None:
    if numerator is None or denominator is None or denominator == 0:
        return None
    return numerator / denominator


def _mean(values: Sequence[Decimal]) -> Decimal:
    return sum(values, _ZERO) / len(values)


def _stdev(values: Sequence[Decimal]) -> Decimal | None:
    """Sample standard deviation (ddof=1); None with fewer than two values."""
    if len(values) < 2:
        return None
    mean = _mean(values)
    return (sum(((x - mean) ** 2 for x in values), _ZERO) / (len(values) - 1)).sqrt()


@attrs.frozen
class Drawdown:
    """One drawdown: from a peak down to a trough and back (``recovery`` None while open)."""

    peak: date
    trough: date
    recovery: date | None
    depth: Decimal
    days: int


@attrs.frozen
class DailyStatistics:
    """The statistics of a daily equity curve (see the module docstring); None: undefined."""

    total_return: Decimal
    cagr: Decimal | None
    volatility: Decimal | None
    sharpe: Decimal | None
    sortino: Decimal | None
    max_drawdown: Decimal
    calmar: Decimal | None
    longest_drawdown_days: int
    best_day: Decimal
    worst_day: Decimal


def daily_returns(start_capital: Decimal, equities: Sequence[Decimal]) -> list[Decimal]:
    """``r(d) = equity(d) / equity(d-1) - 1``, the day before the first being the capital."""
    returns: list[Decimal] = []
    previous = start_capital
    with decimal.localcontext(_CONTEXT):
        for equity in equities:
            if previous <= 0:
                raise NonPositiveEquityError(
                    f"equity {previous} at or below zero: daily returns are undefined after it"
                )
            returns.append(equity / previous - 1)
            previous = equity
    return returns


def drawdowns(start_capital: Decimal, days: Sequence[tuple[date, Decimal]]) -> list[Drawdown]:
    """Every drawdown of the curve in time order; the start capital is the peak the day before."""
    if not days:
        return []
    found: list[Drawdown] = []
    peak, peak_day = start_capital, days[0][0] - timedelta(days=1)
    trough: tuple[date, Decimal] | None = None
    with decimal.localcontext(_CONTEXT):
        for day, equity in days:
            if equity >= peak:
                if trough is not None:
                    found.append(_drawdown(peak, peak_day, trough, day, day))
                    trough = None
                peak, peak_day = equity, day
            elif trough is None or equity < trough[1]:
                trough = (day, equity)
        if trough is not None:
            found.append(_drawdown(peak, peak_day, trough, None, days[-1][0]))
    return found


def _drawdown(
    peak: Decimal, peak_day: date, trough: tuple[date, Decimal], recovery: date | None, end: date
) -> Drawdown:
    return Drawdown(
        peak=peak_day,
        trough=trough[0],
        recovery=recovery,
        depth=v.quantize_computed(trough[1] / peak - 1),
        days=(end - peak_day).days,
    )


def deepest_drawdowns(found: Iterable[Drawdown], count: int = DEEPEST) -> list[Drawdown]:
    """The ``count`` deepest drawdowns, deepest first (earlier first among equals)."""
    return sorted(found, key=lambda d: (d.depth, d.peak))[:count]


def daily_statistics(
    start_capital: Decimal, days: Sequence[tuple[date, Decimal]]
) -> DailyStatistics:
    """The statistics of ``[(day, equity), ...]`` (one row per day, in order)."""
    if not days:
        raise InvalidValueError("days", "statistics need at least one day of equity")
    capital = v.money(start_capital, "start_capital")
    equities = [equity for _, equity in days]
    returns = daily_returns(capital, equities)
    n = len(returns)
    periods = Decimal(PERIODS_PER_YEAR)
    with decimal.localcontext(_CONTEXT):
        growth = equities[-1] / capital
        cagr = growth ** (periods / n) - 1 if growth > 0 else None
        mean = _mean(returns)
        stdev = _stdev(returns)
        root = periods.sqrt()
        downside = (sum((min(r, _ZERO) ** 2 for r in returns), _ZERO) / n).sqrt()
        peak = capital
        max_drawdown = _ZERO
        for equity in equities:
            peak = max(peak, equity)
            max_drawdown = min(max_drawdown, equity / peak - 1)
        sharpe = _ratio(mean, stdev)
        sortino = _ratio(mean, downside)
        found = drawdowns(capital, days)
        return DailyStatistics(
            total_return=v.quantize_computed(growth - 1),
            cagr=_out(cagr),
            volatility=_out(None if stdev is None else stdev * root),
            sharpe=_out(None if sharpe is None else sharpe * root),
            sortino=_out(None if sortino is None else sortino * root),
            max_drawdown=v.quantize_computed(max_drawdown),
            calmar=_out(_ratio(cagr, abs(max_drawdown))),
            longest_drawdown_days=max((d.days for d in found), default=0),
            best_day=v.quantize_computed(max(returns)),
            worst_day=v.quantize_computed(min(returns)),
        )


@attrs.frozen
class TradeStatistics:
    """Statistics of closed trades' PnL (one quote currency), None where undefined.

    ``win_rate = wins / n``; ``profit_factor = gross profit / |gross loss|``;
    ``expectancy = mean PnL``; ``payoff_ratio = average win / |average loss|``;
    ``expectancy_ratio = (1 + payoff_ratio) × win_rate - 1``;
    ``sqn = √n × mean / stdev(ddof=1)``; a trade with zero PnL is neither a win nor a loss
    (and breaks a run of either). ``avg_duration_s``: mean seconds from entry to exit.
    """

    trades: int
    wins: int
    losses: int
    win_rate: Decimal | None
    profit_factor: Decimal | None
    expectancy: Decimal | None
    payoff_ratio: Decimal | None
    expectancy_ratio: Decimal | None
    sqn: Decimal | None
    largest_win: Decimal | None
    largest_loss: Decimal | None
    max_consecutive_wins: int
    max_consecutive_losses: int
    avg_duration_s: Decimal | None


def _longest_run(flags: Iterable[bool]) -> int:
    longest = current = 0
    for flag in flags:
        current = current + 1 if flag else 0
        longest = max(longest, current)
    return longest


def closed_trade_statistics(
    closed: Sequence[tuple[Decimal, datetime, datetime]],
) -> TradeStatistics:
    """Statistics of ``[(pnl, entry time, exit time), ...]`` taken in exit order."""
    ordered = sorted(closed, key=lambda item: (item[2], item[1]))
    pnls = [pnl for pnl, _, _ in ordered]
    n = len(pnls)
    wins = [p for p in pnls if p > 0]
    losses = [p for p in pnls if p < 0]
    with decimal.localcontext(_CONTEXT):
        gross_profit = sum(wins, _ZERO)
        gross_loss = sum(losses, _ZERO)
        win_rate = Decimal(len(wins)) / n if n else None
        mean = _mean(pnls) if n else None
        average_win = _mean(wins) if wins else None
        average_loss = _mean(losses) if losses else None
        payoff = _ratio(average_win, None if average_loss is None else abs(average_loss))
        stdev = _stdev(pnls)
        sqn = _ratio(None if mean is None else Decimal(n).sqrt() * mean, stdev)
        seconds = [
            Decimal((exit_ - entry) / timedelta(microseconds=1)) / 10**6
            for _, entry, exit_ in ordered
        ]
        return TradeStatistics(
            trades=n,
            wins=len(wins),
            losses=len(losses),
            win_rate=_out(win_rate),
            profit_factor=_out(_ratio(gross_profit, abs(gross_loss)) if wins or losses else None),
            expectancy=_out(mean),
            payoff_ratio=_out(payoff),
            expectancy_ratio=_out(
                None if payoff is None or win_rate is None else (1 + payoff) * win_rate - 1
            ),
            sqn=_out(sqn),
            largest_win=max(wins) if wins else None,
            largest_loss=min(losses) if losses else None,
            max_consecutive_wins=_longest_run(p > 0 for p in pnls),
            max_consecutive_losses=_longest_run(p < 0 for p in pnls),
            avg_duration_s=_out(_mean(seconds)) if seconds else None,
        )


def trade_statistics(trades: Iterable[ReportedTrade]) -> TradeStatistics:
    """:func:`closed_trade_statistics` of the closed trades among ``trades`` (their quote)."""
    return closed_trade_statistics(
        [
            (trade.realized_pnl, trade.entry_timestamp, trade.exit_timestamp)
            for trade in trades
            if trade.exit_timestamp is not None
        ]
    )


def trade_statistics_by_pair(
    trades: Iterable[ReportedTrade],
) -> dict[tuple[str, str], TradeStatistics]:
    """:func:`trade_statistics` per ``(exchange, trading_pair)``, in key order."""
    groups: dict[tuple[str, str], list[ReportedTrade]] = {}
    for trade in trades:
        groups.setdefault((trade.exchange, trade.trading_pair), []).append(trade)
    return {key: trade_statistics(group) for key, group in sorted(groups.items())}


def trade_statistics_by_currency(trades: Iterable[ReportedTrade]) -> dict[str, TradeStatistics]:
    """:func:`trade_statistics` per quote currency (amounts are only summed within one)."""
    groups: dict[str, list[ReportedTrade]] = {}
    for trade in trades:
        groups.setdefault(v.split_pair(trade.trading_pair)[1], []).append(trade)
    return {currency: trade_statistics(group) for currency, group in sorted(groups.items())}
