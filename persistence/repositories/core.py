"""Repositories: the queries Gal-Friday runs, written once against a synchronous ``Session``.

The asyncio unit of work runs these same methods through ``AsyncSession.run_sync``.
Time ranges are half-open, ``[start, end)``, on indexed columns. Nothing here
commits: the unit of work owns the transaction.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    any_,
    bindparam,
    delete,
    func,
    insert,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session, subqueryload

from gal_friday.domain import (
    Configuration,
    EventLog,
    Fill,
    FillRecord,
    Log,
    Order,
    OrderStatus,
    PortfolioSnapshot,
    Signal,
    SignalStatus,
    SystemLog,
    Trade,
    TradeGrouping,
)
from gal_friday.domain.fill import StoredFill
from gal_friday.domain.trade import TradeFigures
from gal_friday.persistence.fastpath import fill_statements
from gal_friday.persistence.fastpath.gc_pause import gc_paused
from gal_friday.persistence.fastpath.trade_figures import read_figures
from gal_friday.persistence.tables import definitions as t

T = TypeVar("T")
OPEN_STATUSES = [s for s in OrderStatus if s.is_open]
IN_LIST_CHUNK = 1000
#: How many fill rows a server-side cursor fetches at a time when a pair is streamed.
FILLS_PER_FETCH = 5000


def _between(stmt: Select[Any], column: Any, start: datetime | None, end: datetime | None) -> Any:
    if start is not None:
        stmt = stmt.where(column >= start)
    if end is not None:
        stmt = stmt.where(column < end)
    return stmt


class _Repository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def _among(self, column: ColumnElement[str], values: Iterable[str]) -> Iterator[Any]:
        """Conditions that together select ``column IN values``, in as few statements as the
        backend allows: one array parameter on PostgreSQL (``= ANY``: the planner looks it
        up in the index or hashes it, where an IN list of bound parameters is compared with
        every row it scans), lists of ``IN_LIST_CHUNK`` elsewhere.
        """
        distinct = list(dict.fromkeys(values))
        if not distinct:
            return
        if self.session.get_bind().dialect.name == "postgresql":
            yield column == any_(bindparam(None, distinct, type_=postgresql.ARRAY(String)))
            return
        for chunk in chunked(distinct, IN_LIST_CHUNK):
            yield column.in_(chunk)

    def _all(self, stmt: Select[Any]) -> list[Any]:
        with gc_paused():  # loading makes many objects, no cycles: docs/performance.md
            return list(self.session.scalars(stmt))


class OrderRepository(_Repository):
    """Orders, with their fills loaded alongside (selectin)."""

    def add(self, order: Order) -> None:
        """Stage a new order (and its fills)."""
        self.session.add(order)

    @property
    def imports_in_background(self) -> bool:
        """True when :meth:`add_imported` and ``fills.add_bulk`` may run in another thread
        while the caller does no database work meanwhile: COPY on a synchronous PostgreSQL
        connection, which waits for the server with the GIL released."""
        bind = self.session.get_bind()
        return bind.dialect.name == "postgresql" and not bind.dialect.is_async

    def add_imported(self, orders: Sequence[Order]) -> None:
        """Insert new orders through the bulk path (COPY on PostgreSQL), setting each one's
        ``order_pk`` and its fills'; the fills are written by :meth:`FillRepository.add_bulk`."""
        from gal_friday.persistence.fastpath import bulk

        bulk.insert_orders(self.session.connection(), orders)

    def get(self, order_pk: int) -> Order | None:
        """The order with this primary key."""
        return self.session.get(Order, order_pk)

    def get_by_client_id(self, client_order_id: uuid.UUID) -> Order | None:
        """The order with Gal-Friday's own id."""
        stmt = select(Order).where(t.orders.c.client_order_id == client_order_id)
        return self.session.scalars(stmt).one_or_none()

    def get_by_exchange_id(self, exchange: str, exchange_order_id: str) -> Order | None:
        """The order the exchange knows by ``exchange_order_id``."""
        stmt = select(Order).where(
            t.orders.c.exchange_order_id == exchange_order_id, t.orders.c.exchange == exchange
        )
        return self.session.scalars(stmt).one_or_none()

    def by_exchange_ids(self, exchange: str, exchange_order_ids: Iterable[str]) -> dict[str, Order]:
        """The stored orders among ``exchange_order_ids``, by id."""
        found: dict[str, Order] = {}
        for among in self._among(t.orders.c.exchange_order_id, exchange_order_ids):
            stmt = select(Order).where(t.orders.c.exchange == exchange, among)
            for order in self.session.scalars(stmt):
                assert order.exchange_order_id is not None
                found[order.exchange_order_id] = order
        return found

    def apply_fill(self, fill: Fill, client_order_id: uuid.UUID | None = None) -> bool:
        """The live path: lock the fill's order (by ``client_order_id``, else by the fill's
        exchange order id), apply ``fill`` by the domain's rules, and write the fill and the
        order's changes in this transaction (Core statements, see :mod:`.fill_statements`).
        False for an identical replay, which writes nothing.
        """
        return fill_statements.apply_fill(self.session, fill, client_order_id)

    def get_for_update(self, order_pk: int) -> Order | None:
        """The order, re-read and locked for this transaction (SELECT ... FOR UPDATE).

        On SQLite the lock is a no-op: SQLite serialises writers on its own.
        """
        stmt = (
            select(Order)
            .where(t.orders.c.order_pk == order_pk)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return self.session.scalars(stmt).one_or_none()

    def list_open(
        self, trading_pair: str | None = None, exchange: str | None = None
    ) -> list[Order]:
        """Orders the exchange may still fill, oldest first."""
        stmt = select(Order).where(t.orders.c.status.in_(OPEN_STATUSES))
        # Their fills by one query joined to this one, not selectin's lists of 500 keys.
        stmt = stmt.options(subqueryload(Order.fills))  # type: ignore[arg-type]
        if trading_pair is not None:
            stmt = stmt.where(t.orders.c.trading_pair == trading_pair)
        if exchange is not None:
            stmt = stmt.where(t.orders.c.exchange == exchange)
        return self._all(stmt.order_by(t.orders.c.created_at, t.orders.c.order_pk))


class FillRepository(_Repository):
    """Fills: the executions that every figure is derived from."""

    def add(self, fill: Fill) -> None:
        """Stage a fill (normally added through ``Order.apply_fill`` and the order)."""
        self.session.add(fill)

    def add_bulk(self, fills: Sequence[Fill], *, skip_duplicates: bool = False) -> int:
        """Insert fills (each with its ``order_pk``) through the bulk path; how many were
        inserted (with ``skip_duplicates``, fill ids already stored are left out)."""
        from gal_friday.persistence.fastpath import bulk

        return bulk.insert_fills(self.session.connection(), fills, skip_duplicates=skip_duplicates)

    def stored_among(self, exchange: str, fill_ids: Iterable[str]) -> dict[str, StoredFill]:
        """The stored fills among ``fill_ids`` on ``exchange``, by id, as plain records."""
        columns = [t.fills.c[name] for name in StoredFill._fields]
        found: dict[str, StoredFill] = {}
        for among in self._among(t.fills.c.fill_id, fill_ids):
            stmt = select(*columns).where(t.fills.c.exchange == exchange, among)
            for row in self.session.execute(stmt):
                record = StoredFill._make(row)
                found[record.fill_id] = record
        return found

    def last_key(self) -> int:
        """The highest ``fill_pk`` stored (0 for none): rows above it are newer."""
        return int(self.session.scalar(select(func.max(t.fills.c.fill_pk))) or 0)

    def get(self, exchange: str, fill_id: str) -> Fill | None:
        """The fill the exchange identifies by ``fill_id``."""
        stmt = select(Fill).where(t.fills.c.exchange == exchange, t.fills.c.fill_id == fill_id)
        return self.session.scalars(stmt).one_or_none()

    def for_order(self, order_pk: int) -> list[Fill]:
        """An order's fills in time order."""
        stmt = (
            select(Fill)
            .where(t.fills.c.order_pk == order_pk)
            .order_by(t.fills.c.filled_at, t.fills.c.fill_id)
        )
        return self._all(stmt)

    def existing_ids(self, exchange: str, fill_ids: Iterable[str]) -> set[str]:
        """Which of ``fill_ids`` are already stored for ``exchange``."""
        found: set[str] = set()
        for among in self._among(t.fills.c.fill_id, fill_ids):
            stmt = select(t.fills.c.fill_id).where(t.fills.c.exchange == exchange, among)
            found.update(self.session.scalars(stmt))
        return found

    def pairs(self) -> list[tuple[str, str]]:
        """Every ``(exchange, trading_pair)`` that has fills."""
        stmt = (
            select(t.fills.c.exchange, t.fills.c.trading_pair)
            .distinct()
            .order_by(t.fills.c.exchange, t.fills.c.trading_pair)
        )
        return [(row.exchange, row.trading_pair) for row in self.session.execute(stmt)]

    def stream(
        self,
        exchange: str,
        trading_pair: str,
        batch_size: int = FILLS_PER_FETCH,
        since: datetime | None = None,
    ) -> Iterator[FillRecord]:
        """Read-only records of one pair's fills in ``(filled_at, fill_id)`` order, in batches.

        No objects are built (a replay such as a trade rebuild only reads them); rows
        come through a server-side cursor on PostgreSQL, so memory stays flat
        however long the history. ``since`` keeps only fills at or after it. Use
        :meth:`get` or :meth:`for_order` for fills to change.
        """
        bind = self.session.get_bind()
        if bind.dialect.name == "postgresql" and not bind.dialect.is_async:
            from gal_friday.persistence.fastpath.fill_stream import stream_fills

            # psycopg's rows as they come: SQLAlchemy's per-row work cost more than the rebuild
            yield from stream_fills(
                self.session.connection(), exchange, trading_pair, batch_size, since
            )
        else:
            yield from self._stream_rows(exchange, trading_pair, batch_size, since)

    def _stream_rows(
        self, exchange: str, trading_pair: str, batch_size: int, since: datetime | None
    ) -> Iterator[FillRecord]:
        """:meth:`stream` through SQLAlchemy (any backend)."""
        stmt = (
            select(*(t.fills.c[name] for name in FillRecord._fields))
            .where(t.fills.c.exchange == exchange, t.fills.c.trading_pair == trading_pair)
            .order_by(t.fills.c.filled_at, t.fills.c.fill_id)
            .execution_options(yield_per=batch_size)
        )
        if since is not None:
            stmt = stmt.where(t.fills.c.filled_at >= since)
        for row in self.session.execute(stmt):
            yield FillRecord._make(row)


class SignalRepository(_Repository):
    """Trading signals."""

    def add(self, signal: Signal) -> None:
        """Stage a new signal."""
        self.session.add(signal)

    def get(self, signal_id: uuid.UUID) -> Signal | None:
        """The signal with this id."""
        return self.session.get(Signal, signal_id)

    def by_status(self, status: SignalStatus, trading_pair: str | None = None) -> list[Signal]:
        """Signals in ``status``, oldest first."""
        stmt = select(Signal).where(t.signals.c.status == status)
        if trading_pair is not None:
            stmt = stmt.where(t.signals.c.trading_pair == trading_pair)
        return self._all(stmt.order_by(t.signals.c.created_at))


class TradeRepository(_Repository):
    """Round-trip trades (derived from fills; rebuilds replace them)."""

    def add_all(self, trades: Iterable[Trade]) -> None:
        """Stage trades."""
        self.session.add_all(trades)

    def by_pair(
        self, trading_pair: str, since: datetime | None = None, until: datetime | None = None
    ) -> list[Trade]:
        """A pair's trades entered in ``[since, until)``, in entry order."""
        stmt = select(Trade).where(t.trades.c.trading_pair == trading_pair)
        stmt = _between(stmt, t.trades.c.entry_timestamp, since, until)
        return self._all(stmt.order_by(t.trades.c.entry_timestamp, t.trades.c.trade_pk))

    def by_strategy(self, strategy_id: str) -> list[Trade]:
        """A strategy's trades in entry order."""
        stmt = select(Trade).where(t.trades.c.strategy_id == strategy_id)
        return self._all(stmt.order_by(t.trades.c.entry_timestamp, t.trades.c.trade_pk))

    def in_period(
        self, since: datetime | None = None, until: datetime | None = None
    ) -> list[Trade]:
        """Every trade entered in ``[since, until)``, in entry order."""
        stmt = _between(select(Trade), t.trades.c.entry_timestamp, since, until)
        return self._all(stmt.order_by(t.trades.c.entry_timestamp, t.trades.c.trade_pk))

    def all(self, trading_pair: str | None = None) -> list[Trade]:
        """Every trade (optionally of one pair), by pair then entry time."""
        stmt = select(Trade)
        if trading_pair is not None:
            stmt = stmt.where(t.trades.c.trading_pair == trading_pair)
        order = (t.trades.c.exchange, t.trades.c.trading_pair, t.trades.c.entry_timestamp)
        return self._all(stmt.order_by(*order, t.trades.c.trade_pk))

    def figures(self, trading_pair: str | None = None) -> list[TradeFigures]:
        """Every trade's figures (optionally of one pair), in the order they were stored."""
        # plain rows, no mapped objects: a report of 100,000 trades in well under a second
        return read_figures(self.session.connection(), trading_pair)

    def open(self, trading_pair: str | None = None) -> list[Trade]:
        """Trades whose position is not flat yet, in entry order."""
        stmt = select(Trade).where(t.trades.c.exit_timestamp.is_(None))
        if trading_pair is not None:
            stmt = stmt.where(t.trades.c.trading_pair == trading_pair)
        return self._all(stmt.order_by(t.trades.c.entry_timestamp, t.trades.c.trade_pk))

    def delete_for(
        self, exchange: str, trading_pair: str, entered_since: datetime | None = None
    ) -> int:
        """Remove a pair's trades (those entered at or after ``entered_since`` if given),
        before rebuilding them; returns how many.
        """
        stmt = delete(t.trades).where(
            t.trades.c.exchange == exchange, t.trades.c.trading_pair == trading_pair
        )
        if entered_since is not None:
            stmt = stmt.where(t.trades.c.entry_timestamp >= entered_since)
        result = self.session.execute(stmt)
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    def add_bulk(self, trades: Sequence[Trade]) -> int:
        """Insert derived trades in bulk (no objects tracked); returns how many.

        COPY on a synchronous PostgreSQL connection; one executemany INSERT through an
        asyncio driver (which has no synchronous COPY) and on SQLite.
        """
        from gal_friday.persistence.fastpath import bulk  # bulk uses this module's helpers

        if not trades:
            return 0
        if not self.session.get_bind().dialect.is_async:
            return bulk.insert_trades(self.session.connection(), trades)
        names = [c.name for c in t.trades.columns if c.name != "trade_pk"]
        rows = [{name: getattr(trade, name) for name in names} for trade in trades]
        self.session.execute(insert(t.trades), rows)
        return len(rows)

    def grouping_of(self, exchange: str, trading_pair: str) -> TradeGrouping | None:
        """How the pair's stored trades are grouped (None when it has none): the grouping
        that rebuilds keep until the user asks for another.
        """
        stmt = (
            select(t.trades.c.grouping)
            .where(t.trades.c.exchange == exchange, t.trades.c.trading_pair == trading_pair)
            .limit(1)
        )
        grouping: TradeGrouping | None = self.session.scalar(stmt)
        return grouping

    def flat_point(self, exchange: str, trading_pair: str, at: datetime) -> datetime:
        """The latest instant ``S <= at`` at which the pair's position was flat, by its trades.

        Every trade entered before ``S`` exited before ``S``, so the fills before ``S``
        are all in trades that a rebuild from ``S`` keeps as they are; and the last of
        them did not close by the dust rule (a later exit would have continued it).
        A couple of indexed queries per cycle that straddles the instant tried.
        """
        of_pair = (t.trades.c.exchange == exchange, t.trades.c.trading_pair == trading_pair)
        start = at
        while True:
            straddling = select(func.min(t.trades.c.entry_timestamp)).where(
                *of_pair,
                t.trades.c.entry_timestamp < start,
                or_(t.trades.c.exit_timestamp.is_(None), t.trades.c.exit_timestamp >= start),
            )
            earliest: datetime | None = self.session.scalar(straddling)
            if earliest is None:
                # The last trade before a flat point may have been closed by the dust rule
                # only because nothing came after it (docs/dust.md): an exit arriving now
                # would continue it, so it is rebuilt too.
                latest = self.session.execute(
                    select(t.trades.c.entry_timestamp, t.trades.c.open_quantity)
                    .where(*of_pair, t.trades.c.entry_timestamp < start)
                    .order_by(t.trades.c.entry_timestamp.desc(), t.trades.c.trade_pk.desc())
                    .limit(1)
                ).first()
                if latest is None or not latest.open_quantity:
                    return start
                earliest = latest.entry_timestamp
            start = earliest

    def lock_pair(self, exchange: str, trading_pair: str) -> None:
        """Serialise trade refreshes of one pair until this transaction ends (PostgreSQL
        advisory lock; SQLite serialises writers itself).
        """
        if self.session.get_bind().dialect.name == "postgresql":
            self.session.execute(
                text("SELECT pg_advisory_xact_lock(hashtext(:key))"),
                {"key": f"gal-friday trades {exchange} {trading_pair}"},
            )


class SnapshotRepository(_Repository):
    """Portfolio snapshots."""

    def add(self, snapshot: PortfolioSnapshot) -> None:
        """Stage a snapshot."""
        self.session.add(snapshot)

    def delete(self, snapshot: PortfolioSnapshot) -> None:
        """Stage the removal of a stored snapshot (one read from this repository)."""
        self.session.delete(snapshot)

    def latest(self) -> PortfolioSnapshot | None:
        """The most recent snapshot."""
        stmt = select(PortfolioSnapshot).order_by(
            t.portfolio_snapshots.c.snapshot_timestamp.desc(),
            t.portfolio_snapshots.c.snapshot_pk.desc(),
        )
        return self.session.scalars(stmt.limit(1)).first()

    def between(
        self, start: datetime | None = None, end: datetime | None = None
    ) -> list[PortfolioSnapshot]:
        """Snapshots taken in ``[start, end)``, oldest first."""
        column = t.portfolio_snapshots.c.snapshot_timestamp
        stmt = _between(select(PortfolioSnapshot), column, start, end)
        return self._all(stmt.order_by(column, t.portfolio_snapshots.c.snapshot_pk))


class ConfigurationRepository(_Repository):
    """Configuration versions: stored once per content hash, at most one active."""

    def get_by_hash(self, config_hash: str) -> Configuration | None:
        """The version with this content hash."""
        stmt = select(Configuration).where(t.configurations.c.config_hash == config_hash)
        return self.session.scalars(stmt).one_or_none()

    def add(self, config: Configuration) -> Configuration:
        """Store ``config`` unless its content is already stored; return the stored version."""
        existing = self.get_by_hash(config.config_hash)
        if existing is not None:
            return existing
        self.session.add(config)
        return config

    def active(self) -> Configuration | None:
        """The active version, if any."""
        stmt = select(Configuration).where(t.configurations.c.is_active.is_(True))
        return self.session.scalars(stmt).one_or_none()

    def activate(self, config: Configuration) -> Configuration:
        """Make ``config`` (stored if new) the only active version, in this transaction."""
        stored = self.add(config)
        self.session.flush()
        self.session.execute(
            update(t.configurations)
            .where(
                t.configurations.c.is_active.is_(True),
                t.configurations.c.config_pk != stored.config_pk,
            )
            .values(is_active=False)
            .execution_options(synchronize_session="fetch")
        )
        stored.is_active = True
        self.session.flush()
        return stored

    def all(self) -> list[Configuration]:
        """Every version, oldest first."""
        return self._all(select(Configuration).order_by(t.configurations.c.config_pk))


class LogRepository(_Repository):
    """Application log records."""

    def add(self, log: Log) -> None:
        """Stage a record."""
        self.session.add(log)

    def add_all(self, logs: Iterable[Log]) -> None:
        """Stage records."""
        self.session.add_all(logs)

    def between(
        self,
        start: datetime | None = None,
        end: datetime | None = None,
        logger_name: str | None = None,
        min_level: int | None = None,
    ) -> list[Log]:
        """Records in ``[start, end)``, optionally of one logger or at least a level."""
        stmt = _between(select(Log), t.logs.c.timestamp, start, end)
        if logger_name is not None:
            stmt = stmt.where(t.logs.c.logger_name == logger_name)
        if min_level is not None:
            stmt = stmt.where(t.logs.c.level_no >= min_level)
        return self._all(stmt.order_by(t.logs.c.timestamp, t.logs.c.id))


class SystemLogRepository(_Repository):
    """Structured subsystem logs."""

    def add(self, entry: SystemLog) -> None:
        """Stage an entry."""
        self.session.add(entry)

    def between(
        self,
        start: datetime | None = None,
        end: datetime | None = None,
        source_module: str | None = None,
        log_level: str | None = None,
    ) -> list[SystemLog]:
        """Entries in ``[start, end)``, optionally of one module or level."""
        stmt = _between(select(SystemLog), t.system_logs.c.log_timestamp, start, end)
        if source_module is not None:
            stmt = stmt.where(t.system_logs.c.source_module == source_module)
        if log_level is not None:
            stmt = stmt.where(t.system_logs.c.log_level == log_level.upper())
        return self._all(stmt.order_by(t.system_logs.c.log_timestamp, t.system_logs.c.log_pk))


class EventRepository(_Repository):
    """The append-only event log: no update, no delete."""

    def append_new(self, events: Sequence[EventLog]) -> int:
        """Append through the bulk path, skipping event ids already stored; how many were new."""
        from gal_friday.persistence.fastpath import bulk

        return bulk.insert_events(self.session.connection(), events, skip_duplicates=True)

    def append(self, events: Iterable[EventLog]) -> None:
        """Stage events."""
        self.session.add_all(events)

    def by_type(
        self, event_type: str, since: datetime | None = None, until: datetime | None = None
    ) -> list[EventLog]:
        """Events of one type that occurred in ``[since, until)``, in order."""
        stmt = select(EventLog).where(t.event_logs.c.event_type == event_type)
        stmt = _between(stmt, t.event_logs.c.occurred_at, since, until)
        return self._all(stmt.order_by(t.event_logs.c.occurred_at, t.event_logs.c.event_pk))

    def types(self) -> list[str]:
        """Every event type stored."""
        stmt = select(t.event_logs.c.event_type).distinct().order_by(t.event_logs.c.event_type)
        return list(self.session.scalars(stmt))


def chunked(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """``items`` (any iterable, consumed lazily) in lists of at most ``size``."""
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch
