"""Conversion rates that change over time, for commissions paid in a third asset.

A fill on BTC/USDT that paid its fee in BNB needs a BNB/USDT rate (USDT per BNB) to
count that fee in USDT. A :class:`RateTable` holds, per ``ASSET/QUOTE``, rates that
each apply from their time until the next one's: the rate for a fill is the latest
one at or before the fill's time; a fill earlier than every rate has none.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import TypeAlias

import attrs

from gal_friday.domain import values as v
from gal_friday.domain.errors import InvalidValueError


@attrs.frozen
class RateTable:
    """Rates per ``ASSET/QUOTE`` key: times ascending and the rate from each time on."""

    series: Mapping[str, tuple[tuple[datetime, ...], tuple[Decimal, ...]]]

    @classmethod
    def of(cls, points: Iterable[tuple[str, str, datetime, Decimal]]) -> RateTable:
        """A table from ``(asset, quote, time, rate)`` points in any order; times must be
        timezone-aware, rates positive, and one key may not have two rates at one time."""
        by_key: dict[str, dict[datetime, Decimal]] = {}
        for asset, quote, when, rate in points:
            key = f"{asset}/{quote}"
            when = v.utc(when, "time")
            rate = v.to_decimal(rate, f"rate[{key!r}]")
            if not rate.is_finite() or rate <= 0:
                raise InvalidValueError(f"rate[{key!r}]", "must be greater than zero")
            known = by_key.setdefault(key, {})
            if known.get(when, rate) != rate:
                raise InvalidValueError(
                    f"rate[{key!r}]", f"two rates at {when.isoformat()}: {known[when]}, {rate}"
                )
            known[when] = rate
        series = {
            key: (tuple(sorted(rates)), tuple(rates[when] for when in sorted(rates)))
            for key, rates in by_key.items()
        }
        return cls(series=series)

    def at(self, asset: str, quote: str, when: datetime) -> Decimal | None:
        """The ``asset`` rate in ``quote`` in force at ``when`` (``None`` when there is none)."""
        found = self.series.get(f"{asset}/{quote}")
        if found is None:
            return None
        times, rates = found
        index = bisect.bisect_right(times, when)
        return rates[index - 1] if index else None


#: What the trade builder values third-asset commissions with: fixed rates by
#: ``"ASSET/QUOTE"``, or rates over time.
Rates: TypeAlias = Mapping[str, Decimal] | RateTable
