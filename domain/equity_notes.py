"""What an equity curve says about itself (docs/analytics.md, "Notes").

* :class:`CurveEnd`: the last day, the pair whose candles end first (it cut the curve
  short) and how many fills and ledger rows lie past the end.
* :class:`StalePrice`: a close carried forward over more days than allowed: the pair,
  the day of the close carried and the days (of the curve) it was carried over.
* :class:`NegativeBalance`: an asset (the reporting currency counting the start capital)
  that went below zero: when first, and its lowest balance.

The trackers collect them while the curve is folded (:mod:`gal_friday.domain.equity`).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import attrs

from gal_friday.domain import values as v
from gal_friday.domain.errors import InvalidValueError

#: Days a close may be carried forward before the curve lists it (``--max-stale-days``).
MAX_STALE_DAYS = 3


@attrs.frozen
class CurveEnd:
    """Where the curve stops: ``pair`` (None: no pair needed) has the first last close."""

    last_day: date
    pair: str | None
    fills_after: int
    rows_after: int


@attrs.frozen
class StalePrice:
    """``pair``'s close of ``close_day`` carried over ``days`` days (``first_day``-``last_day``)."""

    pair: str
    close_day: date
    first_day: date
    last_day: date
    days: int


@attrs.frozen
class NegativeBalance:
    """``asset`` went below zero at ``first_at``; ``lowest`` is its lowest balance."""

    asset: str
    first_at: datetime
    lowest: Decimal


class StaleTracker:
    """Collects, per pair and carried close, the curve days valued with it."""

    def __init__(self, max_days: int) -> None:
        if max_days < 0:
            raise InvalidValueError("max_stale_days", f"must not be negative, got {max_days}")
        self.max_days = max_days
        self._days: dict[tuple[str, date], set[date]] = {}

    def saw(self, pair: str, close_day: date, day: date) -> None:
        """``pair`` valued a holding on ``day`` with the close of ``close_day``."""
        if close_day < day:
            self._days.setdefault((pair, close_day), set()).add(day)

    def found(self) -> list[StalePrice]:
        """Every close carried over more than ``max_days`` days, by pair then day."""
        return [
            StalePrice(pair, close_day, min(days), max(days), len(days))
            for (pair, close_day), days in sorted(self._days.items())
            if len(days) > self.max_days
        ]


class NegativeTracker:
    """The first time and lowest balance of every asset that goes below zero."""

    def __init__(self) -> None:
        self._first: dict[str, datetime] = {}
        self._lowest: dict[str, Decimal] = {}

    def saw(self, asset: str, balance: Decimal, at: datetime) -> None:
        """``asset``'s balance is ``balance`` after a movement at ``at``."""
        if balance >= 0:
            return
        self._first.setdefault(asset, at)
        self._lowest[asset] = min(self._lowest.get(asset, balance), balance)

    def found(self) -> list[NegativeBalance]:
        """Every asset that went negative, by asset."""
        return [
            NegativeBalance(asset, self._first[asset], v.tidy(self._lowest[asset]))
            for asset in sorted(self._first)
        ]
