"""Income from the ledger: rewards, airdrops, bonuses, per asset and type (no ORM; docs/income.md).

A ledger row is income when :func:`~gal_friday.domain.ledger_kinds.kind_of` says
``INCOME`` (staking and earn rewards, airdrops, bonuses, ...). What it earned is what it
added to its wallet, ``amount - fee``. :func:`summarize_income` groups the booked rows
of ``[since, until)`` by exchange, asset, type and subtype; with a ``value`` function
(the reporting currency's rate of an asset on a UTC day) each row is valued at its
day's close and the values are summed per line and in a total. A staked variant keeps
its identity (``DOT.S`` is its own line) and is valued as its base asset
(:func:`~gal_friday.domain.ledger_kinds.base_asset`: ``DOT.S`` at DOT's price). A
row without a price is never guessed: its line's value and the total are ``None`` and
the row's asset and day are listed in :attr:`IncomeSummary.missing_prices` with the
reason.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from decimal import Decimal

import attrs

from gal_friday.domain import values as v
from gal_friday.domain.errors import MissingConversionRateError
from gal_friday.domain.ledger import LedgerEntry
from gal_friday.domain.ledger_kinds import LedgerKind, base_asset, kind_of

ZERO = Decimal(0)

#: The value of one unit of an asset in the reporting currency on a UTC day; raises
#: :class:`~gal_friday.domain.errors.MissingConversionRateError` when no price is known.
Valuation = Callable[[str, date], Decimal]


@attrs.frozen
class MissingPrice:
    """An income row that could not be valued: its asset, the asset priced, day and reason."""

    asset: str
    priced_as: str
    day: date
    reason: str


@attrs.frozen
class IncomeLine:
    """Income of one asset by one ledger type and subtype on one exchange."""

    exchange: str
    asset: str
    type: str
    subtype: str | None
    rows: int
    amount: Decimal
    fee: Decimal
    #: In the reporting currency; None without a currency or when a row has no price.
    value: Decimal | None
    first: datetime
    last: datetime

    @property
    def net(self) -> Decimal:
        """What the rows added: ``amount - fee``."""
        with v.exact():
            return v.tidy(self.amount - self.fee)

    @property
    def priced_as(self) -> str:
        """The asset whose price values this line (``DOT`` for ``DOT.S``)."""
        return base_asset(self.asset)


@attrs.frozen
class IncomeSummary:
    """Every income line of a period, and their total value in the reporting currency."""

    lines: tuple[IncomeLine, ...]
    since: datetime | None
    until: datetime | None
    currency: str | None
    missing_prices: tuple[MissingPrice, ...] = ()

    @property
    def rows(self) -> int:
        """How many ledger rows are income."""
        return sum(line.rows for line in self.lines)

    @property
    def total_value(self) -> Decimal | None:
        """Every line's value summed; None without a currency or when a price is missing."""
        if self.currency is None or self.missing_prices:
            return None
        with v.exact():
            return v.tidy(sum((line.value or ZERO for line in self.lines), ZERO))

    def amounts_by_asset(self) -> dict[str, Decimal]:
        """Net income per asset over every type (an asset's own units, never added across)."""
        totals: dict[str, Decimal] = {}
        with v.exact():
            for line in self.lines:
                totals[line.asset] = totals.get(line.asset, ZERO) + line.net
        return {asset: v.tidy(amount) for asset, amount in sorted(totals.items())}


def is_income(entry: LedgerEntry) -> bool:
    """True for a booked row whose kind is ``INCOME``."""
    return not entry.pending and kind_of(entry.type, entry.subtype, entry.amount) is (
        LedgerKind.INCOME
    )


def _in_period(moment: datetime, since: datetime | None, until: datetime | None) -> bool:
    return (since is None or moment >= since) and (until is None or moment < until)


class _Line:
    """One line being summed."""

    __slots__ = ("amount", "fee", "first", "last", "priced", "rows", "value")

    def __init__(self, first: datetime) -> None:
        self.rows = 0
        self.amount = ZERO
        self.fee = ZERO
        self.value = ZERO
        self.priced = True
        self.first = first
        self.last = first


def summarize_income(
    entries: Iterable[LedgerEntry],
    since: datetime | None = None,
    until: datetime | None = None,
    *,
    currency: str | None = None,
    value: Valuation | None = None,
) -> IncomeSummary:
    """Group the income rows of ``entries`` in ``[since, until)`` (see the module docstring).

    ``value`` is required with ``currency``: each row's net amount is multiplied by the
    rate of its base asset on its UTC day (rounded to 18 places, half-even).
    """
    if (currency is None) != (value is None):
        raise ValueError("give both a currency and its valuation, or neither")
    lines: dict[tuple[str, str, str, str], _Line] = {}
    missing: dict[tuple[str, date], MissingPrice] = {}
    with v.exact():
        for entry in entries:
            if not is_income(entry) or not _in_period(entry.time, since, until):
                continue
            key = (entry.exchange, entry.asset, entry.type, entry.subtype or "")
            line = lines.get(key)
            if line is None:
                line = lines[key] = _Line(entry.time)
            line.rows += 1
            line.amount += entry.amount
            line.fee += entry.fee
            line.first = min(line.first, entry.time)
            line.last = max(line.last, entry.time)
            if value is not None:
                day = entry.time.astimezone(UTC).date()
                priced_as = base_asset(entry.asset)
                try:
                    rate = value(priced_as, day)
                except MissingConversionRateError as exc:
                    line.priced = False
                    missing.setdefault(
                        (entry.asset, day), MissingPrice(entry.asset, priced_as, day, str(exc))
                    )
                else:
                    line.value += v.quantize_computed(entry.change * rate)
    return IncomeSummary(
        lines=tuple(
            IncomeLine(
                exchange=exchange,
                asset=asset,
                type=type_,
                subtype=subtype or None,
                rows=line.rows,
                amount=v.tidy(line.amount),
                fee=v.tidy(line.fee),
                value=v.tidy(line.value) if value is not None and line.priced else None,
                first=line.first,
                last=line.last,
            )
            for (exchange, asset, type_, subtype), line in sorted(lines.items())
        ),
        since=since,
        until=until,
        currency=currency,
        missing_prices=tuple(missing[key] for key in sorted(missing)),
    )
