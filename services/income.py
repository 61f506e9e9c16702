"""``gal-friday income``: the ledger's rewards and other income, valued at each day's close.

Reads the stored ledger and, with a reporting currency, the stored candles (the same
closes ``report --currency`` and ``equity`` use, :func:`~gal_friday.services.equity.load_closes`)
in one read-only transaction; the rules are :func:`~gal_friday.domain.income.summarize_income`'s.
A row is valued at the close of *its own* UTC day: a pair whose latest close by the end of
that day lies on an earlier day is a missing price (named, never carried forward), as is an
asset with no pair at all (docs/income.md).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal

from gal_friday.domain import values as v
from gal_friday.domain.equity import Closes, PriceBook, day_end, day_of_close
from gal_friday.domain.errors import MissingConversionRateError
from gal_friday.domain.income import IncomeSummary, summarize_income
from gal_friday.services.ports import UnitOfWorkFactory


class DayCloses:
    """The value of an asset in one currency from the closes of its own UTC day."""

    def __init__(self, closes: Mapping[str, Closes], currency: str) -> None:
        self.book = PriceBook(closes, currency)
        self._times = {
            pair: sorted(at for at, _ in points) for pair, points in closes.items() if points
        }

    def __call__(self, asset: str, day: date) -> Decimal:
        """The rate of ``asset`` on ``day``; a close from an earlier day is refused."""
        rate = self.book.rate(asset, day)
        for pair in self.book.pairs_for(asset, day):
            times = self._times.get(pair, [])
            index = bisect_right(times, day_end(day))
            last = day_of_close(times[index - 1]) if index else None
            if last != day:
                since = f"the last before is on {last.isoformat()}" if last else "none before"
                raise MissingConversionRateError(
                    f"no {pair} close on {day.isoformat()} ({since}): import {pair} candles "
                    "covering that day (gal-friday prices import)"
                )
        return rate


def income(
    uow_factory: UnitOfWorkFactory,
    since: datetime | None = None,
    until: datetime | None = None,
    *,
    currency: str | None = None,
    prices_exchange: str | None = None,
) -> IncomeSummary:
    """The income of ``[since, until)``, valued in ``currency`` when one is given."""
    from gal_friday.services.equity import load_closes

    code = v.upper_code(currency, "currency") if currency is not None else None
    with uow_factory() as uow:
        value = DayCloses(load_closes(uow, prices_exchange), code) if code is not None else None
        return summarize_income(uow.ledger.stream(), since, until, currency=code, value=value)
