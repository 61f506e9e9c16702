"""A ledger read as holdings for the equity curve (docs/analytics.md, "From the ledger").

Every booked row moves ``amount - fee`` of its asset (a pending row, without a txid,
moves nothing). The opening balance of each asset and wallet is inferred as the ledger
does, from its first row: ``balance - amount + fee``; the wallets of an asset are summed.
Deposits and withdrawals (kind ``EXTERNAL``) are flows of their ``amount`` (their fee is
a cost, not a flow), rewards (``INCOME``) income, every other row simply moves holdings
(:mod:`gal_friday.domain.ledger_kinds`).

A stored fill whose id is the refid of a booked row of its exchange is already in the
ledger, and so is a fill older than the exchange's first row (it is in the opening
balances): the curve counts their fees but does not move their amounts twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from decimal import Decimal

import attrs

from gal_friday.domain import values as v
from gal_friday.domain.equity import MoveKind, Movement
from gal_friday.domain.fill import FillView
from gal_friday.domain.ledger import LedgerEntry
from gal_friday.domain.ledger_kinds import LedgerKind, kind_of

_KINDS = {LedgerKind.EXTERNAL: MoveKind.FLOW, LedgerKind.INCOME: MoveKind.INCOME}


@attrs.frozen
class LedgerHoldings:
    """Opening balances per asset, the movements, and what each exchange's ledger covers."""

    opening: dict[str, Decimal]
    movements: list[Movement]
    refids: dict[str, frozenset[str]]
    starts: dict[str, datetime]

    def covers(self, fill: FillView) -> bool:
        """True when the ledger already holds what ``fill`` moved (module docstring)."""
        return covers(self.starts, fill, fill.fill_id in self.refids.get(fill.exchange, ()))

    def before_start(self, fill: FillView) -> bool:
        """True for a fill older than its exchange's first ledger row."""
        return before_start(self.starts, fill)


def covers(starts: Mapping[str, datetime], fill: FillView, in_ledger: bool) -> bool:
    """True when the ledger whose exchanges start at ``starts`` holds what ``fill`` moved:
    a booked row has its id as refid (``in_ledger``), or it is older than the first row."""
    start = starts.get(fill.exchange)
    if start is None:
        return False
    return in_ledger or fill.filled_at < start


def before_start(starts: Mapping[str, datetime], fill: FillView) -> bool:
    """True for a fill older than its exchange's first ledger row."""
    start = starts.get(fill.exchange)
    return start is not None and fill.filled_at < start


@attrs.frozen
class LedgerOpening:
    """What one pass over a ledger keeps (O(assets and wallets), not O(rows)): the opening
    balances per asset and each exchange's first booked time."""

    opening: dict[str, Decimal]
    starts: dict[str, datetime]


def ledger_opening(entries: Iterable[LedgerEntry]) -> LedgerOpening:
    """Read ``entries`` (any order) into :class:`LedgerOpening`; pending rows are skipped."""
    first: dict[tuple[str, str, str | None], LedgerEntry] = {}
    starts: dict[str, datetime] = {}
    for entry in entries:
        if entry.pending:
            continue
        key = (entry.exchange, entry.asset, entry.wallet)
        known = first.get(key)
        if known is None or entry.time < known.time:
            first[key] = entry
        start = starts.get(entry.exchange)
        starts[entry.exchange] = entry.time if start is None else min(start, entry.time)
    opening: dict[str, Decimal] = {}
    with v.exact():
        for (_exchange, asset, _wallet), entry in sorted(first.items(), key=str):
            if entry.balance is not None:
                opened = entry.balance - entry.change
                opening[asset] = opening.get(asset, Decimal(0)) + opened
    return LedgerOpening(
        opening={asset: v.tidy(amount) for asset, amount in opening.items() if amount},
        starts=starts,
    )


def movements(entries: Iterable[LedgerEntry]) -> Iterator[Movement]:
    """What each booked entry of ``entries`` moves, in their order (pending rows move nothing)."""
    for entry in entries:
        if entry.pending:
            continue
        kind = _KINDS.get(kind_of(entry.type, entry.subtype, entry.amount), MoveKind.HOLDING)
        if kind is MoveKind.FLOW:  # what arrives or leaves is the flow; its fee a cost
            yield Movement(entry.time, entry.asset, entry.amount, kind)
            if entry.fee:
                fee = v.EXACT_CONTEXT.minus(entry.fee)
                yield Movement(entry.time, entry.asset, fee, counted=False)
        else:
            yield Movement(entry.time, entry.asset, entry.change, kind)


def ledger_holdings(entries: Iterable[LedgerEntry]) -> LedgerHoldings:
    """Read ``entries``, given in ledger order, into :class:`LedgerHoldings` (all in memory;
    the equity use case streams :func:`ledger_opening` and :func:`movements` instead)."""
    rows = list(entries)
    start = ledger_opening(rows)
    refids: dict[str, set[str]] = {}
    for entry in rows:
        if not entry.pending:
            refids.setdefault(entry.exchange, set()).add(entry.refid)
    return LedgerHoldings(
        opening=start.opening,
        movements=list(movements(rows)),
        refids={exchange: frozenset(ids) for exchange, ids in refids.items()},
        starts=start.starts,
    )
