"""In-memory fakes of the repositories and the unit of work: a public testing aid.

For unit tests of services (yours too) without a database: ``InMemoryUnitOfWork()``
is a unit of work and, called, a factory of more on the same committed state::

    uow = InMemoryUnitOfWork()
    record_fill(uow, fill, client_order_id=order.client_order_id)

They satisfy the protocols of :mod:`gal_friday.services.ports` (checked by
mypy) and keep the same rules as the real ones: a fill id is stored once per
exchange (:class:`DuplicateFillError` on commit), a configuration is stored once
per hash and at most one is active, leaving the block without ``commit()``
discards what it staged, and events are append-only. The shared contract tests
run the same cases against these and the database. Not modelled: SQL, locks,
timeouts and other writers (see ``docs/database.md``).
"""

from __future__ import annotations

import copy
import itertools
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from types import TracebackType
from typing import Any, Self, TypeVar

import attrs

from gal_friday.domain import (
    Configuration,
    DuplicateFillError,
    EventLog,
    Fill,
    FillRecord,
    Log,
    NotFoundError,
    Order,
    PortfolioSnapshot,
    Signal,
    SignalStatus,
    SystemLog,
    Trade,
    TradeGrouping,
    client_order_ids,
)
from gal_friday.domain.attribution import OrderAttribution, bind_signal
from gal_friday.domain.candles import Candle
from gal_friday.domain.enums import Side
from gal_friday.domain.errors import InvalidValueError
from gal_friday.domain.fill import StoredFill
from gal_friday.domain.fill_replay import OrderName, judge_repeated_fill
from gal_friday.domain.flat_point import flat_point
from gal_friday.domain.ledger import LedgerEntry
from gal_friday.domain.order_history import StatusChange, pending_changes, take_changes
from gal_friday.domain.paging import Cursor, HistoryFilter, HistoryOrder, Page, page_size
from gal_friday.domain.positions import (
    FILL_TYPES,
    FeeFlow,
    Holding,
    LedgerFlow,
    OpenLot,
    PairFlow,
    Position,
    holdings,
    positions,
)
from gal_friday.domain.risk import ClosedResult, Streak, current_streak
from gal_friday.domain.trade import TradeFigures
from gal_friday.domain.values import exact, exchange_id, tidy
from gal_friday.persistence.fastpath.import_writer import ImportWriter
from gal_friday.persistence.storage_errors import ConstraintViolationError

T = TypeVar("T")
_ZERO = Decimal(0)


def _in(value: datetime | None, start: datetime | None, end: datetime | None) -> bool:
    return value is not None and (start is None or value >= start) and (end is None or value < end)


class _Store:
    """The committed state shared by every fake unit of work of one test."""

    def __init__(self) -> None:
        self.orders: list[Order] = []
        self.signals: list[Signal] = []
        self.trades: list[Trade] = []
        self.snapshots: list[PortfolioSnapshot] = []
        self.configurations: list[Configuration] = []
        self.logs: list[Log] = []
        self.system_logs: list[SystemLog] = []
        self.events: list[EventLog] = []
        self.ledger: list[LedgerEntry] = []
        self.candles: list[Candle] = []
        self.status_history: list[StatusChange] = []
        self.keys = itertools.count(1)


class FakeOrders:
    """In-memory :class:`~gal_friday.persistence.repositories.OrderRepository`."""

    def __init__(
        self,
        items: list[Order],
        keys: Iterator[int] | None = None,
        signals: list[Signal] | None = None,
        status_history: list[StatusChange] | None = None,
    ) -> None:
        self.items = items
        self.keys = keys if keys is not None else itertools.count(1)
        self.signals = signals if signals is not None else []
        self.status_history = status_history if status_history is not None else []

    def _signal(self, signal_id: uuid.UUID | None) -> Signal | None:
        return next((s for s in self.signals if s.signal_id == signal_id), None)

    def add(self, order: Order) -> None:
        signal = None if order.signal_id is None else self._signal(order.signal_id)
        if signal is not None:
            bind_signal(order, signal)
        self.items.append(order)

    def by_strategy(self, strategy_id: str) -> list[Order]:
        found = [o for o in self.items if o.strategy_id == strategy_id]
        return sorted(found, key=lambda o: (o.created_at, o.order_pk or 0))

    def by_signal(self, signal_id: uuid.UUID) -> list[Order]:
        found = [o for o in self.items if o.signal_id == signal_id]
        return sorted(found, key=lambda o: (o.created_at, o.order_pk or 0))

    def fills_by_strategy(self, strategy_id: str) -> list[Fill]:
        fills = [f for o in self.by_strategy(strategy_id) for f in o.fills]
        return sorted(fills, key=lambda f: f.sort_key)

    def fills_by_signal(self, signal_id: uuid.UUID) -> list[Fill]:
        fills = [f for o in self.by_signal(signal_id) for f in o.fills]
        return sorted(fills, key=lambda f: f.sort_key)

    def attribution_of(self, order_pks: Iterable[int]) -> dict[int, OrderAttribution]:
        wanted = set(order_pks)
        found = {}
        for order in self.items:
            if order.order_pk in wanted:
                given = OrderAttribution.of(order, self._signal(order.signal_id))
                if not given.is_empty:
                    found[order.order_pk] = given
        return found

    imports_in_background = False

    def add_imported(self, orders: Sequence[Order]) -> None:
        """Store new orders, setting each one's ``order_pk`` and its fills' (they come along)."""
        for order in orders:
            order.order_pk = next(self.keys)
            for fill in order.fills:
                fill.order_pk = order.order_pk
            self.items.append(order)

    def get(self, order_pk: int) -> Order | None:
        return next((o for o in self.items if o.order_pk == order_pk), None)

    def get_by_client_id(self, client_order_id: str | uuid.UUID) -> Order | None:
        key = client_order_ids.client_order_id(client_order_id)
        return next((o for o in self.items if o.client_order_id == key), None)

    def history(self, order: Order | int) -> list[StatusChange]:
        """The stored changes of ``order``, then those it noted since (as the real one,
        which flushes first)."""
        found = order if isinstance(order, Order) else self.get(order)
        if found is None:
            return []
        stored = [c for c in self.status_history if c.order_pk == found.order_pk]
        if found.order_pk is None:
            stored = []
        return stored + [attrs.evolve(c, order_pk=found.order_pk) for c in pending_changes(found)]

    def history_by_client_id(self, client_order_id: str | uuid.UUID) -> list[StatusChange]:
        order = self.get_by_client_id(client_order_id)
        return [] if order is None else self.history(order)

    def get_by_exchange_id(self, exchange: str, exchange_order_id: str) -> Order | None:
        return next(
            (
                o
                for o in self.items
                if (o.exchange, o.exchange_order_id) == (exchange, exchange_order_id)
            ),
            None,
        )

    def get_for_update(self, order_pk: int) -> Order | None:
        return self.get(order_pk)

    def store_live_fill(self, fill: Fill, client_order_id: str | uuid.UUID | None = None) -> bool:
        """Apply ``fill`` to its order by the domain's rules; False for an identical replay."""
        if client_order_id is not None:
            order = self.get_by_client_id(client_order_id)
        elif fill.exchange_order_id is not None:
            order = self.get_by_exchange_id(fill.exchange, fill.exchange_order_id)
        else:
            order = None
        if order is None:
            key = client_order_id or fill.exchange_order_id
            raise NotFoundError(f"no stored order {key!s} for fill {fill.fill_id!r}")
        for holder in self.items:
            stored = holder.fill_by_id(fill.fill_id)
            if stored is not None and stored.exchange == fill.exchange:
                return judge_repeated_fill(
                    fill,
                    stored,
                    sent_to=OrderName(order.client_order_id, order.exchange_order_id),
                    stored_on=OrderName(holder.client_order_id, holder.exchange_order_id),
                )
        return order.apply_fill(fill)

    def by_exchange_ids(self, exchange: str, exchange_order_ids: Iterable[str]) -> dict[str, Order]:
        wanted = set(exchange_order_ids)
        return {
            o.exchange_order_id: o
            for o in self.items
            if o.exchange == exchange
            and o.exchange_order_id in wanted
            and o.exchange_order_id is not None
        }

    def list_open(
        self, trading_pair: str | None = None, exchange: str | None = None
    ) -> list[Order]:
        found = [
            o
            for o in self.items
            if o.is_open
            and trading_pair in (None, o.trading_pair)
            and exchange in (None, o.exchange)
        ]
        return sorted(found, key=lambda o: (o.created_at, o.order_pk or 0))


class FakeFills:
    """In-memory :class:`~.repositories.FillRepository` (fills live on their orders)."""

    def __init__(
        self,
        orders: list[Order],
        keys: Iterator[int] | None = None,
        *,
        ledger: list[LedgerEntry] | None = None,
        trades: list[Trade] | None = None,
    ) -> None:
        self.orders = orders
        self.keys = keys if keys is not None else itertools.count(1)
        self.ledger = ledger if ledger is not None else []
        self.trades = trades if trades is not None else []

    def _all(self) -> Iterator[Fill]:
        for order in self.orders:
            yield from order.fills

    def add_bulk(self, fills: Sequence[Fill], *, skip_duplicates: bool = False) -> int:
        """Store fills of orders already stored (they live on their orders): give each its
        ``fill_pk``; a fill id stored before is a :class:`DuplicateFillError`, or with
        ``skip_duplicates`` is taken off its order again."""
        missing = [f.fill_id for f in fills if f.order_pk is None]
        if missing:
            raise ConstraintViolationError(
                "fills.order_pk", f"fills without an order cannot be stored: {missing[:5]}"
            )
        stored = {(f.exchange, f.fill_id) for f in self._all() if f.fill_pk is not None}
        inserted = 0
        for fill in fills:
            key = (fill.exchange, fill.fill_id)
            if key in stored:
                if not skip_duplicates:
                    raise DuplicateFillError(fill.fill_id, "a fill with this id is already stored")
                for order in self.orders:
                    order.fills[:] = [f for f in order.fills if f is not fill]
                continue
            stored.add(key)
            fill.fill_pk = next(self.keys)
            inserted += 1
        return inserted

    def stored_among(self, exchange: str, fill_ids: Iterable[str]) -> dict[str, StoredFill]:
        wanted = set(fill_ids)
        return {
            f.fill_id: StoredFill._make(getattr(f, name) for name in StoredFill._fields)
            for f in self._all()
            if f.exchange == exchange and f.fill_id in wanted
        }

    def last_key(self) -> int:
        return max((f.fill_pk or 0 for f in self._all()), default=0)

    def get(self, exchange: str, fill_id: str) -> Fill | None:
        return next(
            (f for f in self._all() if (f.exchange, f.fill_id) == (exchange, fill_id)), None
        )

    def for_order(self, order_pk: int) -> list[Fill]:
        return sorted((f for f in self._all() if f.order_pk == order_pk), key=lambda f: f.sort_key)

    def existing_ids(self, exchange: str, fill_ids: Iterable[str]) -> set[str]:
        stored = {f.fill_id for f in self._all() if f.exchange == exchange}
        return stored & set(fill_ids)

    def pairs(self) -> list[tuple[str, str]]:
        return sorted({(f.exchange, f.trading_pair) for f in self._all()})

    def stream(
        self,
        exchange: str,
        trading_pair: str,
        batch_size: int = 0,
        since: datetime | None = None,
    ) -> Iterator[FillRecord]:
        chosen = [
            f
            for f in self._all()
            if (f.exchange, f.trading_pair) == (exchange, trading_pair)
            and (since is None or f.filled_at >= since)
        ]
        for fill in sorted(chosen, key=lambda f: f.sort_key):
            yield FillRecord._make(getattr(fill, name) for name in FillRecord._fields)

    def stream_with_ledger_marks(self) -> Iterator[tuple[FillRecord, bool]]:
        refids = {(e.exchange, e.refid) for e in self.ledger if e.txid is not None}
        ordered = sorted(self._all(), key=lambda f: (f.exchange, f.trading_pair))
        for fill in sorted(ordered, key=lambda f: (f.filled_at, f.fill_id)):
            record = FillRecord._make(getattr(fill, name) for name in FillRecord._fields)
            yield record, (fill.exchange, fill.fill_id) in refids

    def closed_exits(self) -> Iterator[tuple[datetime, str, Decimal]]:
        ordered = sorted(self.trades, key=lambda t: (t.exchange, t.trading_pair, t.entry_timestamp))
        for trade in ordered:
            if trade.exit_timestamp is not None:
                yield trade.exit_timestamp, trade.trading_pair, trade.realized_pnl


class FakeSignals:
    """In-memory :class:`~gal_friday.persistence.repositories.SignalRepository`."""

    def __init__(self, items: list[Signal]) -> None:
        self.items = items

    def add(self, signal: Signal) -> None:
        self.items.append(signal)

    def get(self, signal_id: uuid.UUID) -> Signal | None:
        return next((s for s in self.items if s.signal_id == signal_id), None)

    def by_status(self, status: SignalStatus, trading_pair: str | None = None) -> list[Signal]:
        found = [
            s for s in self.items if s.status == status and trading_pair in (None, s.trading_pair)
        ]
        return sorted(found, key=lambda s: s.created_at)


class FakeTrades:
    """In-memory :class:`~gal_friday.persistence.repositories.TradeRepository`."""

    def __init__(self, items: list[Trade]) -> None:
        self.items = items

    def add_all(self, trades: Iterable[Trade]) -> None:
        self.items.extend(trades)

    def _sorted(self, trades: Iterable[Trade]) -> list[Trade]:
        return sorted(trades, key=lambda t: t.entry_timestamp)

    def by_pair(
        self, trading_pair: str, since: datetime | None = None, until: datetime | None = None
    ) -> list[Trade]:
        return self._sorted(
            t
            for t in self.items
            if t.trading_pair == trading_pair and _in(t.entry_timestamp, since, until)
        )

    def by_strategy(self, strategy_id: str) -> list[Trade]:
        return self._sorted(t for t in self.items if t.strategy_id == strategy_id)

    def by_signal(self, signal_id: uuid.UUID) -> list[Trade]:
        return self._sorted(t for t in self.items if t.signal_id == signal_id)

    def in_period(
        self, since: datetime | None = None, until: datetime | None = None
    ) -> list[Trade]:
        return self._sorted(t for t in self.items if _in(t.entry_timestamp, since, until))

    def all(self, trading_pair: str | None = None) -> list[Trade]:
        chosen = [t for t in self.items if trading_pair in (None, t.trading_pair)]
        return sorted(chosen, key=lambda t: (t.exchange, t.trading_pair, t.entry_timestamp))

    def figures(self, trading_pair: str | None = None) -> list[TradeFigures]:
        return [TradeFigures.of(t) for t in self.items if trading_pair in (None, t.trading_pair)]

    def open(self, trading_pair: str | None = None) -> list[Trade]:
        return self._sorted(
            t for t in self.items if not t.is_closed and trading_pair in (None, t.trading_pair)
        )

    def _of(self, exchange: str, trading_pair: str) -> list[Trade]:
        return [t for t in self.items if (t.exchange, t.trading_pair) == (exchange, trading_pair)]

    def delete_for(
        self, exchange: str, trading_pair: str, entered_since: datetime | None = None
    ) -> int:
        gone = [
            t
            for t in self._of(exchange, trading_pair)
            if entered_since is None or t.entry_timestamp >= entered_since
        ]
        self.items[:] = [t for t in self.items if all(t is not g for g in gone)]
        return len(gone)

    def add_bulk(self, trades: Iterable[Trade]) -> int:
        before = len(self.items)
        self.items.extend(trades)
        return len(self.items) - before

    def grouping_of(self, exchange: str, trading_pair: str) -> TradeGrouping | None:
        return next((t.grouping for t in self._of(exchange, trading_pair)), None)

    def flat_point(self, exchange: str, trading_pair: str, at: datetime) -> datetime:
        return flat_point(self._of(exchange, trading_pair), at)

    def lock_pair(self, exchange: str, trading_pair: str) -> None:
        """Nothing to lock: one writer at a time."""


class FakeSnapshots:
    """In-memory :class:`~gal_friday.persistence.repositories.SnapshotRepository`."""

    def __init__(self, items: list[PortfolioSnapshot]) -> None:
        self.items = items

    def add(self, snapshot: PortfolioSnapshot) -> None:
        self.items.append(snapshot)

    def delete(self, snapshot: PortfolioSnapshot) -> None:
        self.items.remove(snapshot)

    def latest(self) -> PortfolioSnapshot | None:
        return max(self.items, key=lambda s: s.snapshot_timestamp, default=None)

    def between(
        self, start: datetime | None = None, end: datetime | None = None
    ) -> list[PortfolioSnapshot]:
        return sorted(
            (s for s in self.items if _in(s.snapshot_timestamp, start, end)),
            key=lambda s: s.snapshot_timestamp,
        )


class FakeConfigurations:
    """In-memory :class:`~gal_friday.persistence.repositories.ConfigurationRepository`."""

    def __init__(self, items: list[Configuration]) -> None:
        self.items = items

    def get_by_hash(self, config_hash: str) -> Configuration | None:
        return next((c for c in self.items if c.config_hash == config_hash), None)

    def add(self, config: Configuration) -> Configuration:
        existing = self.get_by_hash(config.config_hash)
        if existing is not None:
            return existing
        self.items.append(config)
        return config

    def active(self) -> Configuration | None:
        return next((c for c in self.items if c.is_active), None)

    def activate(self, config: Configuration) -> Configuration:
        stored = self.add(config)
        for other in self.items:
            other.is_active = other is stored
        return stored

    def all(self) -> list[Configuration]:
        return list(self.items)


class FakeLogs:
    """In-memory :class:`~gal_friday.persistence.repositories.LogRepository`."""

    def __init__(self, items: list[Log]) -> None:
        self.items = items

    def add(self, log: Log) -> None:
        self.items.append(log)

    def add_all(self, logs: Iterable[Log]) -> None:
        self.items.extend(logs)

    def between(
        self,
        start: datetime | None = None,
        end: datetime | None = None,
        logger_name: str | None = None,
        min_level: int | None = None,
    ) -> list[Log]:
        return sorted(
            (
                entry
                for entry in self.items
                if _in(entry.timestamp, start, end)
                and logger_name in (None, entry.logger_name)
                and (min_level is None or entry.level_no >= min_level)
            ),
            key=lambda entry: entry.timestamp,
        )


class FakeSystemLogs:
    """In-memory :class:`~gal_friday.persistence.repositories.SystemLogRepository`."""

    def __init__(self, items: list[SystemLog]) -> None:
        self.items = items

    def add(self, entry: SystemLog) -> None:
        self.items.append(entry)

    def between(
        self,
        start: datetime | None = None,
        end: datetime | None = None,
        source_module: str | None = None,
        log_level: str | None = None,
    ) -> list[SystemLog]:
        level = log_level.upper() if log_level else None
        return sorted(
            (
                e
                for e in self.items
                if _in(e.log_timestamp, start, end)
                and source_module in (None, e.source_module)
                and level in (None, e.log_level)
            ),
            key=lambda e: e.log_timestamp,
        )


def _events_in(
    events: list[EventLog],
    since: datetime | None,
    until: datetime | None,
    newest_first: bool,
    limit: int | None,
) -> list[EventLog]:
    """``events`` in ``[since, until)``, in the order (and at most ``limit``) the store reads."""
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 0):
        raise InvalidValueError("limit", f"{limit!r} is not a count of events (an int >= 0)")
    kept = [(e.occurred_at, n, e) for n, e in enumerate(events) if _in(e.occurred_at, since, until)]
    ordered = [e for _at, _n, e in sorted(kept, key=lambda k: k[:2], reverse=newest_first)]
    return ordered if limit is None else ordered[:limit]


class FakeEvents:
    """In-memory ``EventRepository`` (append-only)."""

    def __init__(self, items: list[EventLog]) -> None:
        self.items = items

    def append_new(self, events: Sequence[EventLog]) -> int:
        """Append the events whose ``event_id`` is not stored yet; how many were new."""
        seen = {e.event_id for e in self.items}
        added = 0
        for event in events:
            if event.event_id not in seen:
                seen.add(event.event_id)
                self.items.append(event)
                added += 1
        return added

    def append(self, events: Iterable[EventLog]) -> None:
        self.items.extend(events)

    def get(self, event_id: uuid.UUID) -> EventLog | None:
        return next((e for e in self.items if e.event_id == event_id), None)

    def by_type(
        self,
        event_type: str,
        since: datetime | None = None,
        until: datetime | None = None,
        *,
        newest_first: bool = False,
        limit: int | None = None,
    ) -> list[EventLog]:
        found = [e for e in self.items if e.event_type == event_type]
        return _events_in(found, since, until, newest_first, limit)

    def by_correlation(
        self,
        correlation_id: str | uuid.UUID | int,
        event_types: Iterable[str] | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        *,
        newest_first: bool = False,
        limit: int | None = None,
    ) -> list[EventLog]:
        types = None if event_types is None else set(event_types)
        found = [
            e
            for e in self.items
            if e.correlation_id == str(correlation_id) and (types is None or e.event_type in types)
        ]
        return _events_in(found, since, until, newest_first, limit)

    def types(self) -> list[str]:
        return sorted({e.event_type for e in self.items})


class FakeLedger:
    """In-memory :class:`~gal_friday.persistence.repositories.ledger.LedgerRepository`
    (entries in a list, kept in the order stored; the fills are those of ``orders``)."""

    def __init__(self, items: list[LedgerEntry], orders: list[Order]) -> None:
        self.items = items
        self.fills = FakeFills(orders)

    def _ordered(self, key: Callable[[LedgerEntry], Any]) -> list[LedgerEntry]:
        # sorted() is stable: entries equal by ``key`` keep the order they were stored in
        return sorted(self.items, key=key)

    def add_all(self, entries: Iterable[LedgerEntry]) -> int:
        before = len(self.items)
        self.items.extend(entries)
        return len(self.items) - before

    def by_txids(self, exchange: str, txids: Iterable[str]) -> dict[str, LedgerEntry]:
        wanted = set(txids)
        return {
            e.txid: e
            for e in self.items
            if e.exchange == exchange and e.txid is not None and e.txid in wanted
        }

    def pending(self, exchange: str | None = None) -> list[LedgerEntry]:
        return [
            e
            for e in self._ordered(lambda e: (e.exchange, e.time))
            if e.txid is None and exchange in (None, e.exchange)
        ]

    def stream(self, exchange: str | None = None) -> Iterator[LedgerEntry]:
        for entry in self._ordered(lambda e: (e.exchange, e.asset, e.time)):
            if exchange in (None, entry.exchange):
                yield entry

    def trades(
        self, exchange: str, types: Sequence[str] = ("trade",)
    ) -> dict[str, list[LedgerEntry]]:
        grouped: dict[str, list[LedgerEntry]] = {}
        for e in self._ordered(lambda e: e.time):
            if e.exchange == exchange and e.type in types and e.txid is not None:
                grouped.setdefault(e.refid, []).append(e)
        return grouped

    def trade_refids_among(
        self, exchange: str, refids: Sequence[str], types: Sequence[str] = ("trade",)
    ) -> set[str]:
        return set(refids) & set(self.trades(exchange, types))

    def exchanges(self) -> list[str]:
        return sorted({e.exchange for e in self.items})

    def fills_by_ids(self, exchange: str, fill_ids: Sequence[str]) -> dict[str, Fill]:
        wanted = set(fill_ids)
        return {
            f.fill_id: f
            for f in self.fills._all()
            if f.exchange == exchange and f.fill_id in wanted
        }

    def fill_counts(self) -> dict[tuple[str, str], int]:
        counts: dict[tuple[str, str], int] = {}
        for f in self.fills._all():
            counts[(f.exchange, f.trading_pair)] = counts.get((f.exchange, f.trading_pair), 0) + 1
        return counts

    def fill_keys_in_ledger(self) -> list[tuple[str, str, str]]:
        refids = {(e.exchange, e.refid) for e in self.items}
        return [
            (f.exchange, f.trading_pair, f.fill_id)
            for f in self.fills._all()
            if (f.exchange, f.fill_id) in refids
        ]

    def stream_by_time(self) -> Iterator[LedgerEntry]:
        yield from self._ordered(lambda e: (e.time, e.exchange, e.asset))

    def trades_with_fills(
        self, exchange: str, types: Sequence[str] = ("trade",)
    ) -> Iterator[tuple[list[LedgerEntry], FillRecord | None]]:
        fills = {f.fill_id: f for f in self.fills._all() if f.exchange == exchange}
        for refid, entries in self.trades(exchange, types).items():
            fill = fills.get(refid)
            record = (
                None
                if fill is None
                else FillRecord._make(getattr(fill, name) for name in FillRecord._fields)
            )
            yield entries, record

    def reported_fills_in_ledger(self) -> Iterator[Fill]:
        refids = {(e.exchange, e.refid) for e in self.items}
        carried = [f for f in self.fills._all() if (f.exchange, f.fill_id) in refids]
        yield from sorted((f for f in carried if f.reported), key=lambda f: (f.exchange, f.fill_id))


#: The unique constraint on a candle's series and open time (as the migration names it).
_CANDLE_KEY = "uq_candles_exchange_trading_pair_interval_s_open_time"


class FakeCandles:
    """In-memory :class:`~gal_friday.persistence.repositories.candles.CandleRepository`."""

    def __init__(self, items: list[Candle]) -> None:
        self.items = items

    def stored_between(
        self, exchange: str, trading_pair: str, interval_s: int, first: datetime, last: datetime
    ) -> dict[datetime, Candle]:
        exchange = exchange_id(exchange)
        return {
            c.open_time: c
            for c in self.items
            if (c.exchange, c.trading_pair, c.interval_s) == (exchange, trading_pair, interval_s)
            and first <= c.open_time <= last
        }

    def insert(self, candles: Sequence[Candle]) -> None:
        """Add new candles; a stored key is refused, as the table's primary key does."""
        keys = {_candle_key(c) for c in self.items}
        for candle in candles:
            if _candle_key(candle) in keys:
                raise ConstraintViolationError(_CANDLE_KEY, "this candle is already stored")
            keys.add(_candle_key(candle))
        self.items.extend(candles)

    def flush(self) -> None:
        """Nothing staged apart from the list itself."""

    def series(self) -> list[tuple[str, str, int, int]]:
        counts = Counter((c.exchange, c.trading_pair, c.interval_s) for c in self.items)
        return [(*key, count) for key, count in sorted(counts.items())]

    def closes(
        self, exchange: str, trading_pair: str, interval_s: int | None = None
    ) -> list[tuple[datetime, Decimal]]:
        exchange = exchange_id(exchange)
        mine = sorted(
            (
                c
                for c in self.items
                if c.exchange == exchange
                and c.trading_pair == trading_pair
                and (interval_s is None or c.interval_s == interval_s)
            ),
            key=lambda c: (c.open_time, c.interval_s),
        )
        points = [(c.close_time, c.close) for c in mine]
        points.sort(key=lambda point: point[0])
        return points

    def exchanges_of(self, trading_pairs: Iterable[str]) -> dict[str, list[str]]:
        pairs = list(trading_pairs)
        return {
            pair: sorted({c.exchange for c in self.items if c.trading_pair == pair})
            for pair in pairs
        }


def _candle_key(candle: Candle) -> tuple[str, str, int, datetime]:
    return (candle.exchange, candle.trading_pair, candle.interval_s, candle.open_time)


class FakePositions:
    """In-memory :class:`~gal_friday.persistence.repositories.positions.PositionRepository`."""

    def __init__(self, orders: list[Order], trades: list[Trade], ledger: list[LedgerEntry]) -> None:
        self.orders, self.trades, self.ledger = orders, trades, ledger

    def positions(
        self, marks: Mapping[str, Decimal] | None = None, trading_pair: str | None = None
    ) -> list[Position]:
        lots = [
            OpenLot(
                t.exchange,
                t.trading_pair,
                t.side,
                t.open_quantity,
                t.average_entry_price,
                t.realized_pnl,
                t.entry_timestamp,
            )
            for t in self.trades
            if t.exit_timestamp is None and trading_pair in (None, t.trading_pair)
        ]
        return positions(lots, marks)

    def balances(self, exchange: str | None = None) -> list[Holding]:
        fills = [f for o in self.orders for f in o.fills if exchange in (None, f.exchange)]
        flows: dict[tuple[str, str, Side], list[Decimal]] = {}
        fees: dict[tuple[str, str], Decimal] = {}
        with exact():
            for f in fills:
                total = flows.setdefault((f.exchange, f.trading_pair, f.side), [_ZERO, _ZERO])
                total[0] += f.quantity_filled
                total[1] += f.quantity_filled * f.fill_price
                key = (f.exchange, f.commission_asset)
                fees[key] = fees.get(key, _ZERO) + f.commission
                for asset, amount in f.extra_commissions.items():
                    fees[f.exchange, asset] = fees.get((f.exchange, asset), _ZERO) + amount
        fill_ids = {(f.exchange, f.fill_id) for f in fills}
        ledger = [
            LedgerFlow(e.exchange, e.asset, e.type, e.subtype, e.amount > 0, e.amount, e.fee)
            for e in self.ledger
            if e.txid is not None
            and exchange in (None, e.exchange)
            and e.type.lower() not in FILL_TYPES
            and (e.exchange, e.refid) not in fill_ids
        ]
        return holdings(
            [PairFlow(*key, *total) for key, total in flows.items()],
            [FeeFlow(*key, fee) for key, fee in fees.items()],
            ledger,
        )


class FakeRisk:
    """In-memory :class:`~gal_friday.persistence.repositories.risk.RiskRepository`."""

    def __init__(self, trades: list[Trade]) -> None:
        self.trades = trades

    def _closed(self, trading_pair: str | None) -> list[Trade]:
        return [
            t
            for t in self.trades
            if t.exit_timestamp is not None and trading_pair in (None, t.trading_pair)
        ]

    def realized_pnl(
        self,
        since: datetime | None = None,
        until: datetime | None = None,
        trading_pair: str | None = None,
    ) -> dict[str, tuple[Decimal, int]]:
        found: dict[str, tuple[Decimal, int]] = {}
        with exact():
            for t in self._closed(trading_pair):
                if _in(t.exit_timestamp, since, until):
                    pnl, count = found.get(t.trading_pair, (_ZERO, 0))
                    found[t.trading_pair] = (pnl + t.realized_pnl, count + 1)
        return {pair: (tidy(pnl), count) for pair, (pnl, count) in sorted(found.items())}

    def streak(self, trading_pair: str | None = None, as_of: datetime | None = None) -> Streak:
        closed = self._closed(trading_pair)
        if as_of is not None:
            closed = [
                t for t in closed if t.exit_timestamp is not None and t.exit_timestamp <= as_of
            ]
        keyed = list(enumerate(closed))
        keyed.sort(key=lambda item: (item[1].exit_timestamp, item[1].trade_pk or 0, item[0]))
        return current_streak(
            ClosedResult(t.trading_pair, t.exit_timestamp, t.realized_pnl)  # type: ignore[arg-type]
            for _, t in reversed(keyed)
        )


class FakeHistory:
    """In-memory :class:`~gal_friday.persistence.repositories.history.HistoryRepository`.

    The key that breaks ties in time is the row's stored key, else its place in the store.
    """

    def __init__(self, orders: list[Order], trades: list[Trade]) -> None:
        self._orders, self._trades = orders, trades

    def _rows(self, kind: str, filters: HistoryFilter) -> list[tuple[datetime, int, Any]]:
        strategy = filters.strategy_id
        rows: list[tuple[datetime, int, Any]] = []
        if kind == "fills":
            fills = [
                f
                for o in self._orders
                if strategy in (None, getattr(o, "strategy_id", None))
                for f in o.fills
            ]
            rows = [(f.filled_at, f.fill_pk or n, f) for n, f in enumerate(fills, 1)]
        elif kind == "orders":
            rows = [
                (o.created_at, o.order_pk or n, o)
                for n, o in enumerate(self._orders, 1)
                if strategy in (None, getattr(o, "strategy_id", None))
            ]
        else:
            rows = [
                (t.entry_timestamp, t.trade_pk or n, t)
                for n, t in enumerate(self._trades, 1)
                if strategy in (None, t.strategy_id)
            ]
        return [
            row
            for row in rows
            if filters.trading_pair in (None, row[2].trading_pair)
            and filters.exchange in (None, row[2].exchange)
            and (filters.since is None or row[0] >= filters.since)
            and (filters.until is None or row[0] < filters.until)
        ]

    def _page(
        self,
        kind: str,
        filters: HistoryFilter,
        order: HistoryOrder,
        limit: int,
        cursor: str | None,
        with_count: bool,
    ) -> Page[Any]:
        size = page_size(limit)
        order = HistoryOrder(order)
        newest = order is HistoryOrder.NEWEST_FIRST
        rows = sorted(self._rows(kind, filters), key=lambda row: row[:2], reverse=newest)
        if cursor is not None:
            after = Cursor.decode(cursor, kind, order)
            mark = (after.time, after.key)
            rows = [row for row in rows if (row[:2] < mark if newest else row[:2] > mark)]
        items = rows[:size]
        next_cursor = None
        if len(rows) > size:
            next_cursor = Cursor(kind, order, items[-1][0], items[-1][1]).encode()
        total = len(self._rows(kind, filters)) if with_count else None
        return Page([row[2] for row in items], next_cursor, total)

    def fills(
        self,
        filters: HistoryFilter,
        *,
        order: HistoryOrder = HistoryOrder.NEWEST_FIRST,
        limit: int = 100,
        cursor: str | None = None,
        with_count: bool = False,
    ) -> Page[Fill]:
        return self._page("fills", filters, order, limit, cursor, with_count)

    def orders(
        self,
        filters: HistoryFilter,
        *,
        order: HistoryOrder = HistoryOrder.NEWEST_FIRST,
        limit: int = 100,
        cursor: str | None = None,
        with_count: bool = False,
    ) -> Page[Order]:
        return self._page("orders", filters, order, limit, cursor, with_count)

    def trades(
        self,
        filters: HistoryFilter,
        *,
        order: HistoryOrder = HistoryOrder.NEWEST_FIRST,
        limit: int = 100,
        cursor: str | None = None,
        with_count: bool = False,
    ) -> Page[Trade]:
        return self._page("trades", filters, order, limit, cursor, with_count)

    def count(self, kind: str, filters: HistoryFilter) -> int:
        if kind not in ("fills", "orders", "trades"):
            raise InvalidValueError("kind", f"{kind!r} is not fills, orders or trades")
        return len(self._rows(kind, filters))


class InMemoryUnitOfWork:
    """A unit of work over a :class:`_Store`; ``commit()`` publishes, leaving discards."""

    def __init__(self, store: _Store | None = None) -> None:
        self.store = store if store is not None else _Store()
        self.committed = False

    def __call__(self) -> Self:
        """Another unit of work on the same committed state (usable as a factory)."""
        return type(self)(self.store)

    def __enter__(self) -> Self:
        state = {k: v for k, v in self.store.__dict__.items() if k != "keys"}
        self._work = copy.deepcopy(state)
        work = self._work
        self.orders = FakeOrders(
            work["orders"], self.store.keys, work["signals"], work["status_history"]
        )
        self.fills = FakeFills(
            work["orders"], self.store.keys, ledger=work["ledger"], trades=work["trades"]
        )
        self.signals = FakeSignals(work["signals"])
        self.trades = FakeTrades(work["trades"])
        self.snapshots = FakeSnapshots(work["snapshots"])
        self.configurations = FakeConfigurations(work["configurations"])
        self.logs = FakeLogs(work["logs"])
        self.system_logs = FakeSystemLogs(work["system_logs"])
        self.events = FakeEvents(work["events"])
        self.ledger = FakeLedger(work["ledger"], work["orders"])
        self.candles = FakeCandles(work["candles"])
        self.positions = FakePositions(work["orders"], work["trades"], work["ledger"])
        self.risk = FakeRisk(work["trades"])
        self.history = FakeHistory(work["orders"], work["trades"])
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._work = {}

    def import_writer(self) -> ImportWriter:
        """The bulk writer an import uses (the fakes write at once)."""
        return ImportWriter(self)

    def flush(self) -> None:
        """Check the rules a database would (unique fill ids, one active configuration)."""
        seen: set[tuple[str, str]] = set()
        for order in self._work["orders"]:
            if order.order_pk is None:
                order.order_pk = next(self.store.keys)
            self._work["status_history"].extend(  # written with the order, as the real store
                attrs.evolve(change, order_pk=order.order_pk) for change in take_changes(order)
            )
            for fill in order.fills:
                key = (fill.exchange, fill.fill_id)
                if key in seen:
                    raise DuplicateFillError(fill.fill_id, "a fill with this id is already stored")
                seen.add(key)
                fill.order_pk = order.order_pk
                if fill.fill_pk is None:
                    fill.fill_pk = next(self.store.keys)
        if sum(1 for c in self._work["configurations"] if c.is_active) > 1:
            raise ConstraintViolationError(
                "uq_configurations_single_active", "more than one active configuration"
            )

    def commit(self) -> None:
        """Publish the staged state."""
        self.flush()
        self.store.__dict__.update(copy.deepcopy(self._work))
        self.committed = True

    def rollback(self) -> None:
        """Discard the staged state."""
        self.__enter__()

    def run(self, work: Callable[[Any], T]) -> T:
        """Run ``work`` with this unit of work (the shape of ``AsyncUnitOfWork.run``)."""
        return work(self)
