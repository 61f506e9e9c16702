"""Import an exchange's ledgers export: one file, one transaction, nothing stored twice.

The whole file is parsed and validated first (``importers.kraken_ledgers``). Then,
in one unit of work: entries already stored (same exchange and txid) are left
out, and refused when the file says something else about them; pending rows (no
txid) already stored with the same refid, time, asset and amount are left out;
the new entries are inserted; and the exchange's fills are reconciled with the
ledger (:mod:`gal_friday.services.reconcile`), which rebuilds the touched pairs.
Any error rolls the whole file back.

:class:`ReconcilingUnitOfWork` gives a trades import the other order: fills
imported after the ledger are reconciled before that import commits.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import attrs

from gal_friday.domain import TradeGrouping
from gal_friday.domain.ledger import LedgerEntry
from gal_friday.importers.common import Progress
from gal_friday.importers.errors import ImportFormatError
from gal_friday.importers.kraken_ledgers import LedgerBatch, parse_kraken_ledgers, pending_key
from gal_friday.persistence.database import Engine
from gal_friday.persistence.interfaces import LedgerRepositoryProtocol, UnitOfWorkProtocol
from gal_friday.persistence.unit_of_work import UnitOfWork
from gal_friday.services.reconcile import ReconcileSummary, reconcile, reconcile_all


@attrs.frozen
class LedgerImportSummary:
    """What a ledger import did."""

    path: str
    entries_in_file: int
    entries_added: int
    entries_already_stored: int
    pending_added: int
    duplicates_in_file: int
    reconciled: dict[str, ReconcileSummary]

    @property
    def changed_anything(self) -> bool:
        """False when the file brought nothing new (a re-import)."""
        return self.entries_added > 0 or any(
            summary.fills_updated or summary.fills_built for summary in self.reconciled.values()
        )


def _new_entries(repository: LedgerRepositoryProtocol, batch: LedgerBatch) -> list[LedgerEntry]:
    """The entries of ``batch`` not stored yet; a txid stored with other data is an error."""
    new: list[LedgerEntry] = []
    for exchange in sorted({entry.exchange for entry in batch.entries}):
        mine = [entry for entry in batch.entries if entry.exchange == exchange]
        stored = repository.by_txids(exchange, [e.txid for e in mine if e.txid is not None])
        pending = {pending_key(entry) for entry in repository.pending(exchange)}
        for entry in mine:
            if entry.txid is None:
                if pending_key(entry) not in pending:
                    new.append(entry)
                continue
            previous = stored.get(entry.txid)
            if previous is None:
                new.append(entry)
            elif not previous.same_as(entry):
                raise ImportFormatError(
                    batch.path,
                    f"txid {entry.txid!r} is already stored with other data",
                    line=entry.source_line,
                    column="txid",
                )
    return new


def store_ledger(
    uow: UnitOfWorkProtocol, batch: LedgerBatch, grouping: TradeGrouping | None = None
) -> LedgerImportSummary:
    """Store the new entries of ``batch`` and reconcile, in ``uow`` (no commit)."""
    repository = uow.ledger
    new = _new_entries(repository, batch)
    repository.add_all(new)
    exchanges = sorted({entry.exchange for entry in batch.entries})
    return LedgerImportSummary(
        path=batch.path,
        entries_in_file=len(batch.entries) + batch.duplicates_in_file,
        entries_added=len(new),
        entries_already_stored=len(batch.entries) - len(new),
        pending_added=sum(1 for entry in new if entry.pending),
        duplicates_in_file=batch.duplicates_in_file,
        reconciled={exchange: reconcile(uow, exchange, grouping) for exchange in exchanges},
    )


def import_ledger(
    target: Engine | str | None,
    path: str | Path,
    *,
    exchange: str | None = None,
    grouping: TradeGrouping | None = None,
    progress: Progress | None = None,
    uow_factory: Callable[[Engine | str | None], UnitOfWorkProtocol] = UnitOfWork,
) -> LedgerImportSummary:
    """Parse, validate, store and reconcile one ledgers file in one transaction."""
    batch = parse_kraken_ledgers(path, exchange or "kraken", progress)
    with uow_factory(target) as uow:
        summary = store_ledger(uow, batch, grouping)
        uow.commit()
    return summary


class ReconcilingUnitOfWork(UnitOfWork):
    """A unit of work that reconciles the fills with any stored ledger before it commits."""

    def __init__(
        self,
        engine_or_url: Engine | str | None = None,
        grouping: TradeGrouping | None = None,
    ) -> None:
        super().__init__(engine_or_url)
        self.grouping = grouping
        self.reconciled: dict[str, ReconcileSummary] = {}

    def commit(self) -> None:
        """Reconcile every exchange with a ledger, then commit."""
        self.reconciled = reconcile_all(self, self.grouping)
        super().commit()
