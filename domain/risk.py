"""Risk figures: where the current day, week and month start, streaks, exposure (docs/reads.md).

A :class:`ResetSchedule` says when a risk day starts (``reset_hour``, UTC) and which
weekday starts a week (``week_start``, 0 = Monday ... 6 = Sunday). The *trading date*
of an instant is the UTC date of ``instant - reset_hour``; the day starts at that
date's ``reset_hour``, the week at the reset of the latest ``week_start`` day at or
before it, the month at the reset of the 1st of the trading date's month. The default,
``ResetSchedule()``, is 00:00 UTC and Monday: calendar days, ISO weeks and months.

A streak is the run of closed trades, newest exit first, whose realized PnL has one
sign: wins (``> 0``) or losses (``< 0``); it stops at the first trade of the other sign
or at a trade that realized exactly zero (neither won nor lost).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple

import attrs

from gal_friday.domain import values as v
from gal_friday.domain.errors import InvalidValueError

_ZERO = Decimal(0)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _hour(value: object, field: str = "reset_hour") -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 23:
        raise InvalidValueError(field, f"must be an hour from 0 to 23, not {v.shown(value)}")
    return value


def _weekday(value: object, field: str = "week_start") -> int:
    if isinstance(value, str) and value.strip().lower()[:3] in WEEKDAYS:
        return WEEKDAYS.index(value.strip().lower()[:3])
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 6:
        raise InvalidValueError(
            field, f"must be a weekday 0 (Monday) to 6 (Sunday) or mon..sun, not {v.shown(value)}"
        )
    return value


@attrs.frozen
class ResetSchedule:
    """When risk days, weeks and months start (see the module docstring)."""

    reset_hour: int = attrs.field(default=0, converter=_hour)
    week_start: int = attrs.field(default=0, converter=_weekday)

    def trading_date(self, at: datetime) -> datetime:
        """Midnight UTC of the trading date ``at`` falls on."""
        shifted = v.utc(at, "at") - timedelta(hours=self.reset_hour)
        return datetime.combine(shifted.date(), time(), tzinfo=UTC)

    def day_start(self, at: datetime) -> datetime:
        """The start of the risk day holding ``at``."""
        return self.trading_date(at) + timedelta(hours=self.reset_hour)

    def week_start_at(self, at: datetime) -> datetime:
        """The start of the risk week holding ``at``."""
        date = self.trading_date(at)
        back = (date.weekday() - self.week_start) % 7
        return date - timedelta(days=back) + timedelta(hours=self.reset_hour)

    def month_start(self, at: datetime) -> datetime:
        """The start of the risk month holding ``at``."""
        date = self.trading_date(at)
        return date.replace(day=1) + timedelta(hours=self.reset_hour)

    def describe(self) -> str:
        """``00:00 UTC, weeks from Monday``."""
        day = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
        return f"{self.reset_hour:02d}:00 UTC, weeks from {day[self.week_start]}"


class StreakKind(StrEnum):
    """What the newest closed trades did."""

    WINS = "WINS"
    LOSSES = "LOSSES"
    NONE = "NONE"


class ClosedResult(NamedTuple):
    """One closed trade as a streak sees it."""

    trading_pair: str
    exit_timestamp: datetime
    realized_pnl: Decimal


@attrs.frozen
class Streak:
    """The current run of wins or losses (newest first)."""

    kind: StreakKind
    length: int
    #: Exit time of the oldest and the newest trade of the run (``None`` for no run).
    since: datetime | None
    last_exit: datetime | None
    #: Realized PnL of the run per quote currency.
    pnl: Mapping[str, Decimal] = attrs.field(factory=dict)


class StreakCounter:
    """Folds closed trades, newest first, into the current :class:`Streak`; tells when it ended."""

    def __init__(self) -> None:
        self.kind = StreakKind.NONE
        self.length = 0
        self.done = False
        self._since: datetime | None = None
        self._last: datetime | None = None
        self._pnl: dict[str, Decimal] = {}

    def add(self, result: ClosedResult) -> bool:
        """Take the next older trade; False (and done) once the run has ended before it."""
        if self.done:
            return False
        sign = result.realized_pnl.compare(_ZERO)
        kind = StreakKind.WINS if sign > 0 else StreakKind.LOSSES if sign < 0 else StreakKind.NONE
        if kind is StreakKind.NONE or (self.length and kind is not self.kind):
            self.done = True
            return False
        self.kind = kind
        self.length += 1
        self._last = self._last or result.exit_timestamp
        self._since = result.exit_timestamp
        quote = v.split_pair(result.trading_pair)[1]
        with v.exact():
            self._pnl[quote] = self._pnl.get(quote, _ZERO) + result.realized_pnl
        return True

    def streak(self) -> Streak:
        """The run so far."""
        return Streak(
            self.kind,
            self.length,
            self._since,
            self._last,
            {quote: v.tidy(amount) for quote, amount in sorted(self._pnl.items())},
        )


def current_streak(newest_first: Iterable[ClosedResult]) -> Streak:
    """The run of wins or losses at the head of ``newest_first`` (closed trades by exit time)."""
    counter = StreakCounter()
    for result in newest_first:
        if not counter.add(result):
            break
    return counter.streak()


def pnl_by_quote(pnl_by_pair: Mapping[str, Decimal]) -> dict[str, Decimal]:
    """Realized PnL per pair summed per quote currency (pairs quoted alike add up)."""
    totals: dict[str, Decimal] = {}
    with v.exact():
        for pair, amount in pnl_by_pair.items():
            quote = v.split_pair(pair)[1]
            totals[quote] = totals.get(quote, _ZERO) + amount
    return {quote: v.tidy(amount) for quote, amount in sorted(totals.items())}


@attrs.frozen
class PairExposure:
    """The gross exposure of one pair's position at a mark price (in the pair's quote)."""

    exchange: str
    trading_pair: str
    signed_quantity: Decimal
    mark_price: Decimal
    value: Decimal


@attrs.frozen
class Exposure:
    """Exposure per pair and in total per quote currency; pairs held without a mark listed."""

    pairs: tuple[PairExposure, ...]
    totals: Mapping[str, Decimal]
    unmarked: tuple[str, ...]


def exposure(held: Iterable[tuple[str, str, Decimal]], marks: Mapping[str, Decimal]) -> Exposure:
    """``|quantity| × mark`` per ``(exchange, pair, signed quantity)`` held, and their totals
    per quote currency; pairs without a mark are listed in ``unmarked``, not guessed."""
    pairs: list[PairExposure] = []
    unmarked: list[str] = []
    totals: dict[str, Decimal] = {}
    with v.exact():
        for exchange, pair, quantity in held:
            mark = marks.get(pair)
            if mark is None:
                unmarked.append(pair)
                continue
            value = abs(quantity) * mark
            pairs.append(PairExposure(exchange, pair, quantity, mark, v.tidy(value)))
            quote = v.split_pair(pair)[1]
            totals[quote] = totals.get(quote, _ZERO) + value
    return Exposure(
        tuple(pairs),
        {quote: v.tidy(amount) for quote, amount in sorted(totals.items())},
        tuple(sorted(set(unmarked))),
    )
