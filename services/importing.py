"""Import an exchange trade history: one file, one transaction, nothing stored twice.

The file is read as a stream (docs/import-flow.md): its header is checked before the
database is touched, then its rows are parsed, validated and stored in chunks of
:data:`CHUNK_ROWS`, all inside one unit of work, and the trades of every touched pair
are rebuilt at the end. Any error (a bad row anywhere in the file, a conflict with a
stored fill, a lost connection) rolls the whole file back. Memory holds one chunk
at a time, whatever the file's size.

Per chunk: a fill id repeated in the chunk with the same data is kept once; a fill
already stored with the same data is left out (re-imports add nothing); a fill
already stored with OTHER data (a re-export that changed a price, quantity, fee,
side, time or order) is refused, naming the file, line, id and the differing fields.
New fills are grouped into orders; an order stored earlier (by an earlier export or
an earlier chunk of this file) grows by its new fills (:meth:`Order.extend_with`).

Imported orders are known only through their fills: each is recorded as submitted
at its first fill and FILLED, sized by its fills.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent import futures
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import attrs

from gal_friday.domain import DomainError, Order, TradeGrouping
from gal_friday.domain.construction import detached
from gal_friday.domain.fill import StoredFill
from gal_friday.domain.rates import RateTable
from gal_friday.importers import (
    COMMITTING,
    FORMATS,
    READING,
    REBUILDING,
    ByteSource,
    FillStream,
    ImportBatch,
    ImportedFill,
    ImportFormatError,
    OrderGroup,
    Progress,
    group_orders,
)
from gal_friday.importers.streaming import same_record
from gal_friday.persistence.database import Engine
from gal_friday.persistence.fastpath.gc_pause import gc_paused
from gal_friday.persistence.unit_of_work import UnitOfWork
from gal_friday.services.ports import UnitOfWorkProtocol
from gal_friday.services.trade_rebuild import rebuild_pairs

#: Rows parsed, checked and written together. Peak memory grows with it (about 30 KiB
#: per row of objects); 10,000 keeps it near 100 MiB at any file size.
CHUNK_ROWS = 10_000

#: What the exchange's ledger decides once it is imported (docs/ledgers.md): a fill reconciled
#: with the ledger carries the ledger's fee, and one built from it the ledger's refid as its
#: order and quote/base as its price. A trades.csv row may differ from such a fill there.
LEDGER_FEE_FIELDS = frozenset({"commission", "commission_asset"})
LEDGER_BUILT_FIELDS = LEDGER_FEE_FIELDS | {"exchange_order_id", "fill_price"}

#: The fields a re-export may not change, in the order a conflict names them.
COMPARED = (
    "trading_pair",
    "side",
    "quantity_filled",
    "fill_price",
    "commission",
    "commission_asset",
    "filled_at",
    "exchange_order_id",
)


@attrs.frozen
class ImportSummary:
    """What an import did."""

    path: str
    fills_in_file: int
    fills_added: int
    fills_already_stored: int
    duplicates_in_file: int
    orders_added: int
    orders_extended: int
    trades_rebuilt: int
    pairs: list[tuple[str, str]]

    @property
    def changed_anything(self) -> bool:
        """False when the file brought nothing new (a re-import)."""
        return self.fills_added > 0


@attrs.define
class _Tally:
    in_file: int = 0
    added: int = 0
    already_stored: int = 0
    repeated: int = 0
    orders_added: int = 0
    orders_extended: int = 0
    touched: set[tuple[str, str]] = attrs.Factory(set)

    def count_stored(self, stored: StoredFill, newest_before: int) -> None:
        """A row already stored: by this import (a repeat) or before it."""
        if stored.fill_pk > newest_before:
            self.repeated += 1
        else:
            self.already_stored += 1


def open_file(
    path: str | Path,
    fmt: str,
    exchange: str | None = None,
    pair_map: Mapping[str, str] | None = None,
) -> FillStream:
    """The file's fills as a stream in the named format; its header is checked now
    (``pair_map``: see importers.pairs)."""
    if fmt not in FORMATS:
        raise ImportFormatError(str(path), f"unknown format {fmt!r}; use one of {sorted(FORMATS)}")
    kwargs = {"exchange": exchange} if exchange else {}
    return FORMATS[fmt](path, pair_map=pair_map, **kwargs)


def _no_progress(phase: str, done: int, total: int | None) -> None:
    """The progress callback when nobody watches."""


def import_history(
    target: Engine | str | None,
    path: str | Path,
    fmt: str,
    *,
    exchange: str | None = None,
    grouping: TradeGrouping | None = None,
    progress: Progress | None = None,
    rates: RateTable | None = None,
    uow_factory: Callable[[Engine | str | None], UnitOfWorkProtocol] = UnitOfWork,
    pair_map: Mapping[str, str] | None = None,
) -> ImportSummary:
    """Read, validate and store one history file in one transaction (module docstring).

    ``rates`` values commissions paid in a third asset (docs/import-flow.md); a new
    fill whose commission has no rate is refused. ``grouping=None`` rebuilds each pair
    with the grouping it already has; ``pair_map``: see importers.pairs.
    """
    stream = open_file(path, fmt, exchange, pair_map)
    report = progress or _no_progress
    try:
        with uow_factory(target) as uow:
            summary = store_stream(uow, stream, grouping, progress=report, rates=rates)
            report(COMMITTING, 0, None)
            uow.commit()
    finally:
        stream.close()
    return summary


def store_stream(
    uow: UnitOfWorkProtocol,
    stream: FillStream,
    grouping: TradeGrouping | None = None,
    *,
    progress: Progress = _no_progress,
    rates: RateTable | None = None,
) -> ImportSummary:
    """Store the new fills of ``stream`` chunk by chunk and rebuild the touched pairs, in
    ``uow`` (no commit). ``grouping=None`` rebuilds each pair with the grouping it has."""
    tally = _Tally()
    newest_before = uow.fills.last_key()
    size = stream.source.size
    progress(READING, 0, size)
    records = iter(stream.records)
    with _ChunkWriter(uow) as writer:
        while True:
            # one chunk at a time: see persistence/fastpath/gc_pause.py; the new fills and
            # orders are only written in bulk, so they are made without the ORM's state
            # (construction.detached)
            with gc_paused(), detached():
                try:
                    chunk = list(itertools.islice(records, CHUNK_ROWS))
                finally:
                    writer.wait()  # the chunk before is stored first, or its error comes first
                if not chunk:
                    break
                writer.write(_store_chunk(uow, stream, chunk, newest_before, rates, tally))
            progress(READING, stream.source.read_so_far, size)
    pairs = sorted(tally.touched)
    trades = 0
    for done, pair in enumerate(pairs):
        progress(REBUILDING, done, len(pairs))
        # a pair's rebuild can take seconds: the collector is paused per batch of trades
        # only (services/trade_rebuild.py), never for the whole pair
        with detached():  # the trades are only written in bulk
            trades += rebuild_pairs(uow, [pair], grouping, rates=rates).total_trades
    progress(REBUILDING, len(pairs), len(pairs))
    return ImportSummary(
        path=stream.path,
        fills_in_file=tally.in_file,
        fills_added=tally.added,
        fills_already_stored=tally.already_stored,
        duplicates_in_file=tally.repeated,
        orders_added=tally.orders_added,
        orders_extended=tally.orders_extended,
        trades_rebuilt=trades,
        pairs=pairs,
    )


def store_batch(
    uow: UnitOfWorkProtocol, batch: ImportBatch, grouping: TradeGrouping | None = None
) -> ImportSummary:
    """Store fills already read (built from a ledger, say) as :func:`store_stream` stores
    a file's, in ``uow`` (no commit); an error names ``batch.path`` and the ``refid``."""
    stream = FillStream(
        path=batch.path,
        records=iter(batch.records),
        source=ByteSource(io.BytesIO()),
        id_column="refid",
    )
    return store_stream(uow, stream, grouping)


def _store_chunk(
    uow: UnitOfWorkProtocol,
    stream: FillStream,
    chunk: Sequence[ImportedFill],
    newest_before: int,
    rates: RateTable | None,
    tally: _Tally,
) -> list[Order]:
    """Check a chunk against the store and build its new orders (returned: to be written);
    stored orders it extends are flushed."""
    tally.in_file += len(chunk)
    unique = _unique(stream, chunk, tally)
    new = _not_stored(uow, stream, unique, newest_before, tally)
    _check_rates(stream, new, rates)
    groups = group_orders(stream.path, new)
    known = _stored_orders(uow, groups)
    new_orders: list[Order] = []
    for group in groups:
        existing = known.get((group.exchange, group.order_ref))
        try:
            if existing is None:
                new_orders.append(_new_order(group))
            else:
                _extend(existing, group)
                tally.orders_extended += 1
        except DomainError as exc:
            if isinstance(exc, ImportFormatError):
                raise
            raise stream.error(group.first_line, f"order {group.order_ref!r}: {exc}") from None
    uow.flush()  # extended orders (ORM) before the bulk rows
    tally.added += len(new)
    tally.orders_added += len(new_orders)
    # the groups hold every new fill, and are fewer to read than the fills
    tally.touched.update((group.exchange, group.trading_pair) for group in groups)
    return new_orders


class _ChunkWriter:
    """Writes a chunk's new orders and fills (bulk), in a worker thread where the backend
    allows it (``uow.orders.imports_in_background``), so that the next chunk is read and
    checked while the server takes this one in; else at once.

    One write at a time; :meth:`wait` before any other use of the unit of work. Leaving the
    block waits for a write still running (its error is dropped when another is raised).
    """

    def __init__(self, uow: UnitOfWorkProtocol) -> None:
        self._uow = uow
        self._pool = (
            ThreadPoolExecutor(1, thread_name_prefix="gal-friday-import")
            if uow.orders.imports_in_background
            else None
        )
        self._pending: Future[None] | None = None

    def __enter__(self) -> _ChunkWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        try:
            if exc_info[0] is None:
                self.wait()
            elif self._pending is not None:
                futures.wait([self._pending])
        finally:
            if self._pool is not None:
                self._pool.shutdown()

    def write(self, orders: list[Order]) -> None:
        """Store ``orders`` and their fills (a write before must have been waited for)."""
        assert self._pending is None
        if self._pool is None:
            self._store(orders)
        else:
            self._pending = self._pool.submit(self._store, orders)

    def wait(self) -> None:
        """Return once the last write is done; raise its error if it failed."""
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.result()

    def _store(self, orders: list[Order]) -> None:
        self._uow.orders.add_imported(orders)  # sets the orders' keys and their fills'
        self._uow.fills.add_bulk([fill for order in orders for fill in order.fills])


def _unique(stream: FillStream, chunk: Sequence[ImportedFill], tally: _Tally) -> list[ImportedFill]:
    """The chunk without repeats of an identical row; the same id with other data is refused."""
    seen: dict[tuple[str, str], ImportedFill] = {}
    unique = []
    for record in chunk:
        key = (record.fill.exchange, record.fill.fill_id)
        previous = seen.get(key)
        if previous is None:
            seen[key] = record
            unique.append(record)
        elif same_record(previous, record):
            tally.repeated += 1
        else:
            raise stream.error(
                record.line,
                f"{stream.id_column} {record.fill.fill_id!r} appears on "
                f"{stream.where(previous.line)} with other data",
                about_id=True,
            )
    return unique


def _not_stored(
    uow: UnitOfWorkProtocol,
    stream: FillStream,
    records: list[ImportedFill],
    newest_before: int,
    tally: _Tally,
) -> list[ImportedFill]:
    """``records`` not stored yet. One stored with the same data is left out (counted as
    stored before, or as a repeat when this import stored it); with other data it is a
    conflict that refuses the whole file."""
    stored: dict[tuple[str, str], StoredFill] = {}
    for exchange, ids in _ids_by_exchange(records).items():
        for fill_id, found in uow.fills.stored_among(exchange, ids).items():
            stored[(exchange, fill_id)] = found
    if not stored:
        return records
    new: list[ImportedFill] = []
    differing: list[tuple[ImportedFill, StoredFill, dict[str, str]]] = []
    for record in records:
        match = stored.get((record.fill.exchange, record.fill.fill_id))
        if match is None:
            new.append(record)
            continue
        differences = _differences(record, match)
        if differences:
            differing.append((record, match, differences))
        else:
            tally.count_stored(match, newest_before)
    decided = _decided_by_ledger(uow, differing)
    for record, found, differences in differing:
        if (record.fill.exchange, found.fill_id) not in decided:
            raise stream.error(
                record.line,
                f"{stream.id_column} {record.fill.fill_id!r} is already stored with other data "
                f"({'; '.join(differences.values())}); a re-export may not change a stored "
                "fill, nothing was imported",
                about_id=True,
            )
        tally.count_stored(found, newest_before)
    return new


def _ids_by_exchange(records: Iterable[ImportedFill]) -> dict[str, list[str]]:
    by_exchange: dict[str, list[str]] = {}
    for record in records:
        by_exchange.setdefault(record.fill.exchange, []).append(record.fill.fill_id)
    return by_exchange


def _differences(record: ImportedFill, stored: StoredFill) -> dict[str, str]:
    """``{field: "field here X, stored Y"}`` for every compared field that differs."""
    here: dict[str, Any] = {name: getattr(record.fill, name) for name in COMPARED}
    here["exchange_order_id"] = record.order_ref
    return {
        name: f"{name} {_shown(here[name])} here, {_shown(getattr(stored, name))} stored"
        for name in COMPARED
        if here[name] != getattr(stored, name)
    }


def _decided_by_ledger(
    uow: UnitOfWorkProtocol, differing: Sequence[tuple[ImportedFill, StoredFill, dict[str, str]]]
) -> set[tuple[str, str]]:
    """``(exchange, fill_id)`` of the stored fills whose every difference the ledger decided:
    the ledger holds their trade, and only its fields differ (one query per exchange)."""
    candidates: dict[str, list[str]] = {}
    for record, stored, differences in differing:
        built = stored.exchange_order_id == stored.fill_id  # its order is the ledger's refid
        if set(differences) <= (LEDGER_BUILT_FIELDS if built else LEDGER_FEE_FIELDS):
            candidates.setdefault(record.fill.exchange, []).append(stored.fill_id)
    if not candidates:
        return set()
    ledger = uow.ledger
    return {
        (exchange, refid)
        for exchange, ids in candidates.items()
        for refid in ledger.trade_refids_among(exchange, ids)
    }


def _shown(value: Any) -> str:
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(getattr(value, "value", value))


def _check_rates(
    stream: FillStream, records: Iterable[ImportedFill], rates: RateTable | None
) -> None:
    """Refuse a fill whose commission is in a third asset with no rate at its time."""
    for record in records:
        fill = record.fill
        base, _, quote = fill.trading_pair.partition("/")
        if fill.commission_asset in (base, quote) or not fill.commission:
            continue
        if rates is None or rates.at(fill.commission_asset, quote, fill.filled_at) is None:
            raise stream.error(
                record.line,
                f"fill {fill.fill_id!r} at {fill.filled_at.isoformat()} paid its fee in "
                f"{fill.commission_asset}: no {fill.commission_asset}/{quote} rate in force "
                "then; give one with --rates FILE (docs/import-flow.md)",
            )


def _stored_orders(
    uow: UnitOfWorkProtocol, groups: Sequence[OrderGroup]
) -> dict[tuple[str, str], Order]:
    refs: dict[str, list[str]] = {}
    for group in groups:
        refs.setdefault(group.exchange, []).append(group.order_ref)
    known: dict[tuple[str, str], Order] = {}
    for exchange, order_refs in refs.items():
        for ref, order in uow.orders.by_exchange_ids(exchange, order_refs).items():
            known[(exchange, ref)] = order
    return known


def _new_order(group: OrderGroup) -> Order:
    return Order.filled_by(
        group.fills,
        order_type=group.order_type,
        exchange_order_id=group.order_ref,
        limit_price=group.limit_price,
        stop_price=group.stop_price,
    )


def _extend(order: Order, group: OrderGroup) -> None:
    """Grow a stored order by a group of its fills; its inferred prices are those of every
    fill it now has, as if the fills had come together."""
    if group.order_type is not order.order_type:
        raise DomainError(
            f"it is stored as a {order.order_type} order, the file has {group.order_type} fills"
        )
    whole = attrs.evolve(group, fills=[*order.fills, *group.fills])
    order.extend_with(group.fills, limit_price=whole.limit_price, stop_price=whole.stop_price)
