"""Closed trades' amounts in one reporting currency, at the rate of the day they happened.

Used by ``gal-friday report --currency`` (docs/reporting.md, "One currency"). A closed
trade's ``realized_pnl``, ``total_commission`` and ``average_exit_price`` are converted at
its quote currency's rate on its exit day, its ``entry_cash`` and ``average_entry_price``
at the rate on its entry day, each product rounded to 18 places (half-even). The rates are
:class:`~gal_friday.domain.equity.PriceBook`'s (the close of the latest candle closed by the
end of that UTC day), never today's. A missing rate is a
:class:`~gal_friday.domain.errors.MissingConversionRateError` naming the pair and the time,
never 0. Prices stay in the quote currency; open trades are not converted (their partial
exits carry no time).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from decimal import Decimal

import attrs

from gal_friday.domain import values as v
from gal_friday.domain.equity import PriceBook
from gal_friday.domain.errors import MissingConversionRateError
from gal_friday.domain.performance import in_period, quote_currency
from gal_friday.domain.trade import ReportedTrade, TradeFigures


def _rate(book: PriceBook, trade: ReportedTrade, moment: datetime, what: str) -> Decimal:
    day: date = moment.astimezone(UTC).date()
    try:
        return book.rate(quote_currency(trade.trading_pair), day)
    except MissingConversionRateError as exc:
        raise MissingConversionRateError(
            f"{trade.trading_pair} ({trade.exchange}) trade {what} {moment.isoformat()}: {exc}"
        ) from None


def _times(amount: Decimal, rate: Decimal) -> Decimal:
    with v.exact():
        return v.quantize_computed(amount * rate)


def convert_trade(trade: ReportedTrade, book: PriceBook) -> ReportedTrade:
    """A closed ``trade`` with its amounts in ``book.currency`` (see the module docstring)."""
    if trade.exit_timestamp is None:
        raise ValueError("only closed trades are converted")
    exit_rate = _rate(book, trade, trade.exit_timestamp, "exited")
    entry_rate = _rate(book, trade, trade.entry_timestamp, "entered")
    pnl = _times(trade.realized_pnl, exit_rate)
    commission = _times(trade.total_commission, exit_rate)
    cash = _times(trade.entry_cash, entry_rate)
    if isinstance(trade, TradeFigures):
        return trade._replace(realized_pnl=pnl, total_commission=commission, entry_cash=cash)
    return attrs.evolve(trade, realized_pnl=pnl, total_commission=commission, entry_cash=cash)


def convert_trades(
    trades: Iterable[ReportedTrade],
    book: PriceBook,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[ReportedTrade]:
    """``trades`` with those closed in ``[since, until)`` converted; the others as they are."""
    return [
        convert_trade(trade, book) if in_period(trade, since, until) else trade for trade in trades
    ]
