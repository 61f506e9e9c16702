"""The ledger's balances replayed per asset and wallet (no ORM; docs/ledgers.md, "Wallets").

Kraken keeps a balance per asset *and wallet* (``spot / main``, ``earn / bonded``,
``earn / flexible``, ...): an earn allocation moves DOT out of ``spot / main`` into
``earn / bonded`` in two rows, and each row's ``balance`` is the balance of its own
wallet. :func:`replay_balances` therefore replays each ``(exchange, asset, wallet)`` on
its own: the opening balance is inferred from its first booked row
(``balance - amount + fee``), every row must leave ``balance`` equal to the running sum,
and after a divergence the replay carries on from the ledger's balance (one missing row
counts once). Exports without a ``wallet`` column (2021 and older) are one wallet
(``wallet`` None). :func:`asset_totals` sums the wallets of each asset: the closing
balance of DOT is spot plus earn. Pending rows (no txid) are never counted.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

import attrs

from gal_friday.domain import values as v

if TYPE_CHECKING:  # ledger.py re-exports this module: no import of it at run time
    from gal_friday.domain.ledger import LedgerEntry

ZERO = Decimal(0)


@attrs.frozen
class Divergence:
    """Where a replayed balance first differs from the ledger's ``balance`` column."""

    exchange: str
    asset: str
    time: datetime
    refid: str
    txid: str | None
    expected: Decimal
    found: Decimal
    wallet: str | None = None


@attrs.frozen
class AssetReplay:
    """One asset's replay in one wallet: its inferred opening, closing balance and divergences."""

    exchange: str
    asset: str
    opening: Decimal
    closing: Decimal
    entries: int
    divergences: int
    first_divergence: Divergence | None
    wallet: str | None = None

    @property
    def balanced(self) -> bool:
        """True when every row's balance is the running sum."""
        return self.divergences == 0


@attrs.frozen
class AssetTotal:
    """One asset summed over its wallets (the per-asset view of the audit)."""

    exchange: str
    asset: str
    wallets: tuple[str | None, ...]
    opening: Decimal
    closing: Decimal
    entries: int
    divergences: int

    @property
    def balanced(self) -> bool:
        """True when every wallet of the asset balances."""
        return self.divergences == 0


class _Running:
    """One (asset, wallet)'s replay so far."""

    __slots__ = ("balance", "entries", "first", "opening", "wrong")

    def __init__(self, opening: Decimal) -> None:
        self.opening = opening
        self.balance = opening
        self.entries = 0
        self.wrong = 0
        self.first: Divergence | None = None


def _key(replay: tuple[str, str, str | None]) -> tuple[str, str, str]:
    exchange, asset, wallet = replay
    return exchange, asset, wallet or ""


def replay_balances(entries: Iterable[LedgerEntry]) -> list[AssetReplay]:
    """Replay each ``(exchange, asset, wallet)``'s booked entries, given in ledger order.

    Entries of other assets and wallets may be interleaved; each key keeps its own
    running balance. Sorted by exchange, asset and wallet (no wallet first).
    """
    state: dict[tuple[str, str, str | None], _Running] = {}
    with v.exact():
        for entry in entries:
            if entry.pending:
                continue
            key = (entry.exchange, entry.asset, entry.wallet)
            change = entry.amount - entry.fee
            running = state.get(key)
            if running is None:
                opening = entry.balance - change if entry.balance is not None else ZERO
                running = state[key] = _Running(opening)
            expected = running.balance + change
            running.entries += 1
            if entry.balance is not None and entry.balance != expected:
                running.wrong += 1
                if running.first is None:
                    running.first = Divergence(
                        entry.exchange,
                        entry.asset,
                        entry.time,
                        entry.refid,
                        entry.txid,
                        v.tidy(expected),
                        entry.balance,
                        entry.wallet,
                    )
                expected = entry.balance
            running.balance = expected
    return [
        AssetReplay(
            exchange,
            asset,
            v.tidy(r.opening),
            v.tidy(r.balance),
            r.entries,
            r.wrong,
            r.first,
            wallet,
        )
        for (exchange, asset, wallet), r in sorted(state.items(), key=lambda item: _key(item[0]))
    ]


def asset_totals(replays: Iterable[AssetReplay]) -> list[AssetTotal]:
    """Each ``(exchange, asset)`` summed over its wallets, in the order of ``replays``."""
    grouped: dict[tuple[str, str], list[AssetReplay]] = {}
    for replay in replays:
        grouped.setdefault((replay.exchange, replay.asset), []).append(replay)
    totals = []
    with v.exact():
        for (exchange, asset), parts in grouped.items():
            totals.append(
                AssetTotal(
                    exchange=exchange,
                    asset=asset,
                    wallets=tuple(part.wallet for part in parts),
                    opening=v.tidy(sum((part.opening for part in parts), ZERO)),
                    closing=v.tidy(sum((part.closing for part in parts), ZERO)),
                    entries=sum(part.entries for part in parts),
                    divergences=sum(part.divergences for part in parts),
                )
            )
    return totals
