"""Import an exchange trade history: one file, one transaction, nothing stored twice.

The file is read as a stream (docs/import-flow.md): its header is checked before the
database is touched, then its rows are parsed, validated and stored in chunks of
:data:`CHUNK_ROWS`, all inside one unit of work, and the trades of every touched pair
are reconciled with the exchange's stored ledger, if any (:func:`reconcile_with_ledgers`:
the ledger's fees, docs/ledgers.md), and each touched pair's trades rebuilt once at
the end. Any error (a bad row anywhere in the file, a conflict with a
stored fill, a lost connection) rolls the whole file back. Memory holds one chunk
at a time, whatever the file's size.

Per chunk: a fill id repeated in the chunk with the same data is kept once; a fill
already stored with the same data is left out (re-imports add nothing); a fill
already stored with OTHER data (a re-export that changed a price, quantity, fee,
side, time or order) is refused, naming the file, line, id and the differing fields.
New fills are grouped into orders; an order stored earlier (by an earlier export or
an earlier chunk of this file) grows by its new fills (:meth:`Order.extend_with`). The
rules are the domain's (:mod:`gal_friday.domain.import_rules`,
:mod:`gal_friday.domain.fees`); the bulk writes are persistence's
(the unit of work's ``import_writer()``).

Imported orders are known only through their fills: each is recorded as submitted
at its first fill and FILLED, sized by its fills.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import attrs

from gal_friday.domain import DomainError, Order, TradeGrouping
from gal_friday.domain.account_book import (
    BOOK_TYPES,
    FillDifference,
    book_differences,
    reported_figures,
)
from gal_friday.domain.fees import unvalued_fee
from gal_friday.domain.fill import StoredFill
from gal_friday.domain.import_rules import (
    changed_fill_problem,
    check_same_order_type,
    ledger_may_decide,
    reexport_differences,
)
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
from gal_friday.importers.ccxt import CcxtFillStream
from gal_friday.importers.streaming import same_record
from gal_friday.services.ports import UnitOfWorkFactory, UnitOfWorkProtocol
from gal_friday.services.reconcile import (
    LEDGER_SOURCE,
    LedgerCorrections,
    ReconcileSummary,
    correct_fills,
)
from gal_friday.services.trade_rebuild import rebuild_pairs

#: Rows parsed, checked and written together. Peak memory grows with it (about 30 KiB
#: per row of objects); 10,000 keeps it near 100 MiB at any file size.
CHUNK_ROWS = 10_000


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
    #: Where the file and the stored ledger differ about a fill (the ledger's figures kept,
    #: the file's kept on the fill for reference): docs/ledgers.md, "Differences".
    differences: list[FillDifference] = attrs.field(factory=list)
    #: What the reader says about the file, e.g. the ccxt derivatives trades it skipped.
    notes: list[str] = attrs.field(factory=list)

    @property
    def changed_anything(self) -> bool:
        """False when the file brought nothing new (a re-import)."""
        return self.fills_added > 0 or bool(self.differences)


@attrs.define
class _Tally:
    in_file: int = 0
    added: int = 0
    already_stored: int = 0
    repeated: int = 0
    orders_added: int = 0
    orders_extended: int = 0
    touched: set[tuple[str, str]] = attrs.Factory(set)
    differences: list[FillDifference] = attrs.Factory(list)

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
    derivatives: str | None = None,
) -> FillStream:
    """The file's fills as a stream in the named format; its header is checked now
    (``pair_map``: see importers.pairs; ``derivatives``, ``"skip"`` or ``"refuse"``, only
    for ``ccxt-trades``: what a ``BASE/QUOTE:SETTLE`` trade does, docs/importing.md)."""
    if fmt not in FORMATS:
        raise ImportFormatError(str(path), f"unknown format {fmt!r}; use one of {sorted(FORMATS)}")
    kwargs: dict[str, str] = {"exchange": exchange} if exchange else {}
    if derivatives is not None:
        if fmt != CCXT_TRADES:
            raise ImportFormatError(str(path), f"derivatives applies to {CCXT_TRADES} only")
        kwargs["derivatives"] = derivatives
    return FORMATS[fmt](path, pair_map=pair_map, **kwargs)


#: The one format whose files may hold derivatives trades.
CCXT_TRADES = "ccxt-trades"


def _no_progress(phase: str, done: int, total: int | None) -> None:
    """The progress callback when nobody watches."""


def import_history(
    uow_factory: UnitOfWorkFactory,
    path: str | Path,
    fmt: str,
    *,
    exchange: str | None = None,
    grouping: TradeGrouping | None = None,
    progress: Progress | None = None,
    rates: RateTable | None = None,
    pair_map: Mapping[str, str] | None = None,
    derivatives: str | None = None,
) -> ImportSummary:
    """Read, validate and store one history file in one transaction (module docstring).

    ``rates`` values commissions paid in a third asset (docs/import-flow.md); a new
    fill whose commission has no rate is refused. ``grouping=None`` rebuilds each pair
    with the grouping it already has; ``pair_map``: see importers.pairs;
    ``derivatives`` (ccxt-trades only): ``"skip"`` (the default: counted, in ``notes``)
    or ``"refuse"`` (the file stops at the first derivatives trade).
    """
    stream = open_file(path, fmt, exchange, pair_map, derivatives)
    report = progress or _no_progress
    try:
        with uow_factory() as uow:
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
    """Store the new fills of ``stream`` chunk by chunk, reconcile the fills with any stored
    ledger (:func:`reconcile_with_ledgers`) and rebuild each touched pair once, in ``uow``
    (no commit). ``grouping=None`` rebuilds each pair with the grouping it has."""
    tally = _store_fills(uow, stream, progress, rates)
    pairs = sorted(tally.touched)
    reconciled, trades = reconcile_with_ledgers(
        uow, uow.ledger.exchanges(), grouping, rates=rates, also=pairs, progress=progress
    )
    differences = tally.differences + [
        difference for summary in reconciled.values() for difference in summary.differences
    ]
    return ImportSummary(
        path=stream.path,
        fills_in_file=tally.in_file,
        fills_added=tally.added,
        fills_already_stored=tally.already_stored,
        duplicates_in_file=tally.repeated,
        orders_added=tally.orders_added,
        orders_extended=tally.orders_extended,
        trades_rebuilt=sum(trades[pair] for pair in pairs),
        pairs=pairs,
        differences=differences,
        notes=stream.notes if isinstance(stream, CcxtFillStream) else [],
    )


def reconcile_with_ledgers(
    uow: UnitOfWorkProtocol,
    exchanges: Iterable[str],
    grouping: TradeGrouping | None = None,
    *,
    rates: RateTable | None = None,
    also: Iterable[tuple[str, str]] = (),
    progress: Progress = _no_progress,
) -> tuple[dict[str, ReconcileSummary], dict[tuple[str, str], int]]:
    """The import's reconciliation step, in ``uow`` (no commit): each exchange's stored fills
    take its ledger's fees (through their orders), the fills its ledger holds and the store
    does not are stored, and every pair so touched, with the pairs ``also`` given, has its
    trades rebuilt once. Returns what each exchange's reconciliation did and the trades
    rebuilt per pair (docs/ledgers.md)."""
    done: list[tuple[LedgerCorrections, set[tuple[str, str]]]] = []
    for exchange in exchanges:
        corrections = correct_fills(uow, exchange)
        touched = set(corrections.pairs)
        if corrections.built:
            batch = ImportBatch(path=LEDGER_SOURCE, records=corrections.built)
            touched |= _store_fills(uow, _batch_stream(batch), _no_progress, None).touched
        done.append((corrections, touched))
    pairs = sorted(set(also).union(*(touched for _, touched in done)))
    trades = _rebuild(uow, pairs, grouping, rates, progress)
    summaries = {
        corrections.exchange: ReconcileSummary(
            fills_updated=corrections.fills_updated,
            fills_built=len(corrections.built),
            one_leg_refids=corrections.one_leg_refids,
            unvalued_kfee_refids=corrections.unvalued_kfee_refids,
            pairs=sorted(touched),
            trades_rebuilt=sum(trades[pair] for pair in touched),
            conversions_built=corrections.conversions_built,
            margin_fills_updated=corrections.margin_fills_updated,
            margin_refids_without_fill=corrections.margin_refids_without_fill,
            incomplete_conversions=corrections.incomplete_conversions,
            differences=corrections.differences,
        )
        for corrections, touched in done
    }
    return summaries, trades


def _store_fills(
    uow: UnitOfWorkProtocol, stream: FillStream, progress: Progress, rates: RateTable | None
) -> _Tally:
    """Store the new fills of ``stream`` chunk by chunk (no rebuild): what was done."""
    tally = _Tally()
    newest_before = uow.fills.last_key()
    size = stream.source.size
    progress(READING, 0, size)
    records = iter(stream.records)
    with uow.import_writer() as writer:
        while True:
            with writer.building():  # the collector is paused for one chunk at a time
                try:
                    chunk = list(itertools.islice(records, CHUNK_ROWS))
                finally:
                    writer.wait()  # the chunk before is stored first, or its error comes first
                if not chunk:
                    break
                writer.write(_store_chunk(uow, stream, chunk, newest_before, rates, tally))
            progress(READING, stream.source.read_so_far, size)
    return tally


def _rebuild(
    uow: UnitOfWorkProtocol,
    pairs: Sequence[tuple[str, str]],
    grouping: TradeGrouping | None,
    rates: RateTable | None,
    progress: Progress,
) -> dict[tuple[str, str], int]:
    """Rebuild each of ``pairs`` once: the trades written per pair."""
    trades: dict[tuple[str, str], int] = {}
    for done, pair in enumerate(pairs):
        progress(REBUILDING, done, len(pairs))
        # a pair's rebuild can take seconds: the collector is paused per batch of trades
        # only (services/trade_rebuild.py), never for the whole pair
        trades[pair] = rebuild_pairs(uow, [pair], grouping, rates=rates).total_trades
    progress(REBUILDING, len(pairs), len(pairs))
    return trades


def _batch_stream(batch: ImportBatch) -> FillStream:
    """Fills already read (built from a ledger) as a stream: an error names ``batch.path``
    and the ``refid``."""
    return FillStream(
        path=batch.path,
        records=iter(batch.records),
        source=ByteSource(io.BytesIO()),
        id_column="refid",
    )


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
        differences = reexport_differences(record.fill, record.order_ref, match)
        if differences:
            differing.append((record, match, differences))
        else:
            tally.count_stored(match, newest_before)
    decided = _decided_by_ledger(uow, differing)
    kept: list[ImportedFill] = []
    for record, found, differences in differing:
        if (record.fill.exchange, found.fill_id) not in decided:
            raise stream.error(
                record.line,
                changed_fill_problem(stream.id_column, record.fill.fill_id, differences),
                about_id=True,
            )
        tally.count_stored(found, newest_before)
        kept.append(record)
    _keep_reported(uow, kept, tally)
    return new


def _keep_reported(uow: UnitOfWorkProtocol, records: Sequence[ImportedFill], tally: _Tally) -> None:
    """The file's figures for fills whose amounts the stored ledger decided: kept on each
    stored fill (``reported``) and listed as differences, the first time they are seen."""
    by_exchange: dict[str, dict[str, ImportedFill]] = {}
    for record in records:
        by_exchange.setdefault(record.fill.exchange, {})[record.fill.fill_id] = record
    for exchange, wanted in by_exchange.items():
        for fill_id, stored in uow.ledger.fills_by_ids(exchange, sorted(wanted)).items():
            fill = wanted[fill_id].fill
            if fill.commission_asset != fill.quote_asset:
                continue  # not a trades.csv fee (in the quote): nothing to compare
            reported = reported_figures(fill.fill_price, fill.commission)
            if stored.reported == reported:
                continue
            found = book_differences(
                exchange,
                fill_id,
                stored.trading_pair,
                stored.quantity_filled,
                reported,
                stored.fill_price,
                stored.commissions,
            )
            if found:
                stored.reported = reported
                tally.differences += found
    uow.flush()


def _ids_by_exchange(records: Iterable[ImportedFill]) -> dict[str, list[str]]:
    by_exchange: dict[str, list[str]] = {}
    for record in records:
        by_exchange.setdefault(record.fill.exchange, []).append(record.fill.fill_id)
    return by_exchange


def _decided_by_ledger(
    uow: UnitOfWorkProtocol, differing: Sequence[tuple[ImportedFill, StoredFill, dict[str, str]]]
) -> set[tuple[str, str]]:
    """``(exchange, fill_id)`` of the stored fills whose every difference the ledger decided:
    the ledger holds their trade, and only its fields differ (one query per exchange)."""
    candidates: dict[str, list[str]] = {}
    for record, stored, differences in differing:
        if ledger_may_decide(stored, differences):
            candidates.setdefault(record.fill.exchange, []).append(stored.fill_id)
    if not candidates:
        return set()
    ledger = uow.ledger
    return {
        (exchange, refid)
        for exchange, ids in candidates.items()
        for refid in ledger.trade_refids_among(exchange, ids, BOOK_TYPES)
    }


def _check_rates(
    stream: FillStream, records: Iterable[ImportedFill], rates: RateTable | None
) -> None:
    """Refuse a fill whose commission is in a third asset with no rate at its time."""
    for record in records:
        fill = record.fill
        fee = unvalued_fee(fill, rates, fill.filled_at)
        if fee is not None:
            raise stream.error(
                record.line,
                f"fill {fill.fill_id!r} at {fill.filled_at.isoformat()} paid its fee in "
                f"{fee.asset}: no {fee.key} rate in force then; give one with --rates FILE "
                "(docs/import-flow.md)",
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
    check_same_order_type(order.order_type, group.order_type)
    whole = attrs.evolve(group, fills=[*order.fills, *group.fills])
    order.extend_with(group.fills, limit_price=whole.limit_price, stop_price=whole.stop_price)
