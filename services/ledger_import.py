"""Import an exchange's ledgers export: one file, one transaction, nothing stored twice.

The file is streamed (``importers.kraken_ledgers.read_kraken_ledgers``: its header
is checked before the database is touched) and stored in chunks of
:data:`CHUNK_ENTRIES` rows, all in one unit of work. Per chunk: a row repeated in
the chunk with the same data is kept once, with other data refused naming both
lines; entries already stored (same exchange and txid, by an earlier import or an
earlier chunk) are left out, and refused when the file says something else about
them; pending rows (no txid) already stored with the same refid, time, asset and
amount are left out; the new entries are inserted. Then the exchange's fills are
reconciled with the ledger and each touched pair rebuilt once
(:func:`gal_friday.services.importing.reconcile_with_ledgers`, the step a trades import
ends with too: fills imported after the ledger are reconciled by their own import). Any
error rolls the whole file back (docs/ledgers.md).
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import attrs

from gal_friday.domain import TradeGrouping
from gal_friday.domain.account_book import RowTypeCount, count_by_type, row_key
from gal_friday.domain.ledger import LedgerEntry
from gal_friday.domain.ledger_kinds import LedgerKind
from gal_friday.importers.common import READING, Progress
from gal_friday.importers.errors import ImportFormatError
from gal_friday.importers.kraken_ledgers import (
    LedgerStream,
    pending_key,
    read_kraken_ledgers,
    repeat_error,
)
from gal_friday.services.importing import reconcile_with_ledgers
from gal_friday.services.ports import (
    LedgerRepositoryProtocol,
    UnitOfWorkFactory,
    UnitOfWorkProtocol,
)
from gal_friday.services.reconcile import ReconcileSummary


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
    #: The rows stored, per ledger type (and kind), with what they become.
    by_type: list[RowTypeCount] = attrs.field(factory=list)

    @property
    def changed_anything(self) -> bool:
        """False when the file brought nothing new (a re-import)."""
        return self.entries_added > 0 or any(
            summary.fills_updated or summary.fills_built for summary in self.reconciled.values()
        )


#: Rows read, checked and stored at a time (bounds the import's memory).
CHUNK_ENTRIES = 10_000


@attrs.define
class _Tally:
    in_file: int = 0
    added: int = 0
    already_stored: int = 0
    pending_added: int = 0
    repeated: int = 0
    exchanges: set[str] = attrs.Factory(set)
    by_type: Counter[tuple[str, LedgerKind]] = attrs.Factory(Counter)
    #: Pending keys stored per exchange (pending rows are few: deposits not credited yet).
    pending: dict[str, set[tuple[object, ...]]] = attrs.Factory(dict)


def _unique(stream: LedgerStream, chunk: Sequence[LedgerEntry], tally: _Tally) -> list[LedgerEntry]:
    """The chunk without repeats of an identical row; the same txid with other data is refused."""
    seen: dict[tuple[str, str], LedgerEntry] = {}
    pending: set[tuple[object, ...]] = set()
    unique: list[LedgerEntry] = []
    for entry in chunk:
        if entry.txid is None:
            key = pending_key(entry)
            if key in pending:
                tally.repeated += 1
                continue
            pending.add(key)
        else:
            previous = seen.get((entry.exchange, entry.txid))
            if previous is not None:
                if not previous.same_as(entry):
                    raise repeat_error(stream, entry, previous)
                tally.repeated += 1
                continue
            seen[entry.exchange, entry.txid] = entry
        unique.append(entry)
    return unique


def _new_entries(
    repository: LedgerRepositoryProtocol, path: str, chunk: Sequence[LedgerEntry], tally: _Tally
) -> list[LedgerEntry]:
    """The entries of ``chunk`` not stored yet; a txid stored with other data is an error."""
    new: list[LedgerEntry] = []
    for exchange in sorted({entry.exchange for entry in chunk}):
        mine = [entry for entry in chunk if entry.exchange == exchange]
        stored = repository.by_txids(exchange, [e.txid for e in mine if e.txid is not None])
        if exchange not in tally.pending:
            tally.pending[exchange] = {pending_key(e) for e in repository.pending(exchange)}
        pending = tally.pending[exchange]
        for entry in mine:
            if entry.txid is None:
                if pending_key(entry) not in pending:
                    pending.add(pending_key(entry))
                    new.append(entry)
                continue
            previous = stored.get(entry.txid)
            if previous is None:
                new.append(entry)
            elif not previous.same_as(entry):
                raise ImportFormatError(
                    path,
                    f"txid {entry.txid!r} is already stored (from line {previous.source_line})"
                    " with other data",
                    line=entry.source_line,
                    column="txid",
                )
    return new


def store_ledger(
    uow: UnitOfWorkProtocol,
    stream: LedgerStream,
    grouping: TradeGrouping | None = None,
    progress: Progress | None = None,
) -> LedgerImportSummary:
    """Store the new entries of ``stream`` chunk by chunk and reconcile, in ``uow`` (no commit)."""
    repository = uow.ledger
    tally = _Tally()
    size = stream.source.size
    entries = iter(stream.entries)
    while chunk := list(itertools.islice(entries, CHUNK_ENTRIES)):
        tally.in_file += len(chunk)
        tally.exchanges.update(entry.exchange for entry in chunk)
        unique = _unique(stream, chunk, tally)
        new = _new_entries(repository, stream.path, unique, tally)
        repository.add_all(new)
        tally.by_type.update(row_key(entry) for entry in new)
        tally.added += len(new)
        tally.already_stored += len(unique) - len(new)
        tally.pending_added += sum(1 for entry in new if entry.pending)
        if progress is not None:
            progress(READING, stream.source.read_so_far, size)
    reconciled, _ = reconcile_with_ledgers(uow, sorted(tally.exchanges), grouping)
    return LedgerImportSummary(
        path=stream.path,
        entries_in_file=tally.in_file,
        entries_added=tally.added,
        entries_already_stored=tally.already_stored,
        pending_added=tally.pending_added,
        duplicates_in_file=tally.repeated,
        reconciled=reconciled,
        by_type=count_by_type(tally.by_type),
    )


def import_ledger(
    uow_factory: UnitOfWorkFactory,
    path: str | Path,
    *,
    exchange: str | None = None,
    grouping: TradeGrouping | None = None,
    progress: Progress | None = None,
) -> LedgerImportSummary:
    """Read, validate, store and reconcile one ledgers file in one transaction."""
    stream = read_kraken_ledgers(path, exchange or "kraken")
    try:
        with uow_factory() as uow:
            summary = store_ledger(uow, stream, grouping, progress)
            uow.commit()
    finally:
        stream.close()
    return summary
