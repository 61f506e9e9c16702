"""What services may rely on: the unit of work and its repositories, as ``typing.Protocol``s.

Services are typed against these, not against the SQLAlchemy-backed classes, so any
implementation that has the same methods fits: the real ones
(:class:`~gal_friday.persistence.unit_of_work.UnitOfWork` and
:mod:`gal_friday.persistence.repositories`) and the in-memory fakes of
:mod:`gal_friday.persistence.in_memory` (a public testing aid). mypy checks that
both satisfy them (the ``TYPE_CHECKING`` block at the end, checked by the project's
mypy run; ``tests/unit/test_interfaces.py``).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from decimal import Decimal
from types import TracebackType
from typing import TYPE_CHECKING, Protocol, Self, TypeVar

from gal_friday.domain import (
    Configuration,
    EventLog,
    Fill,
    FillRecord,
    Log,
    Order,
    PortfolioSnapshot,
    Signal,
    SignalStatus,
    SystemLog,
    Trade,
    TradeGrouping,
)
from gal_friday.domain.attribution import OrderAttribution
from gal_friday.domain.candles import Candle
from gal_friday.domain.ledger import LedgerEntry
from gal_friday.domain.order_history import StatusChange
from gal_friday.domain.paging import HistoryFilter, HistoryOrder, Page
from gal_friday.domain.positions import Holding, Position
from gal_friday.domain.risk import Streak
from gal_friday.domain.trade import TradeFigures

if TYPE_CHECKING:
    from gal_friday.domain.fill import StoredFill


T = TypeVar("T")


class OrderRepositoryProtocol(Protocol):
    """Orders, with their fills."""

    def add(self, order: Order) -> None: ...
    @property
    def imports_in_background(self) -> bool: ...
    def add_imported(self, orders: Sequence[Order]) -> None: ...
    def get(self, order_pk: int) -> Order | None: ...
    def get_by_client_id(self, client_order_id: str | uuid.UUID) -> Order | None: ...
    def history(self, order: Order | int) -> list[StatusChange]: ...
    def history_by_client_id(self, client_order_id: str | uuid.UUID) -> list[StatusChange]: ...
    def get_by_exchange_id(self, exchange: str, exchange_order_id: str) -> Order | None: ...
    def by_exchange_ids(
        self, exchange: str, exchange_order_ids: Iterable[str]
    ) -> dict[str, Order]: ...
    def store_live_fill(
        self, fill: Fill, client_order_id: str | uuid.UUID | None = None
    ) -> bool: ...
    def get_for_update(self, order_pk: int) -> Order | None: ...
    def list_open(
        self, trading_pair: str | None = None, exchange: str | None = None
    ) -> list[Order]: ...
    def by_strategy(self, strategy_id: str) -> list[Order]: ...
    def by_signal(self, signal_id: uuid.UUID) -> list[Order]: ...
    def fills_by_strategy(self, strategy_id: str) -> list[Fill]: ...
    def fills_by_signal(self, signal_id: uuid.UUID) -> list[Fill]: ...
    def attribution_of(self, order_pks: Iterable[int]) -> dict[int, OrderAttribution]: ...


class FillRepositoryProtocol(Protocol):
    """Fills, read apart from their orders (stored through the order)."""

    def add_bulk(self, fills: Sequence[Fill], *, skip_duplicates: bool = False) -> int: ...
    def stored_among(self, exchange: str, fill_ids: Iterable[str]) -> dict[str, StoredFill]: ...
    def last_key(self) -> int: ...
    def get(self, exchange: str, fill_id: str) -> Fill | None: ...
    def for_order(self, order_pk: int) -> list[Fill]: ...
    def existing_ids(self, exchange: str, fill_ids: Iterable[str]) -> set[str]: ...
    def pairs(self) -> list[tuple[str, str]]: ...
    def stream(
        self,
        exchange: str,
        trading_pair: str,
        batch_size: int = ...,
        since: datetime | None = None,
    ) -> Iterator[FillRecord]: ...
    def stream_with_ledger_marks(self) -> Iterator[tuple[FillRecord, bool]]: ...
    def closed_exits(self) -> Iterator[tuple[datetime, str, Decimal]]: ...


class SignalRepositoryProtocol(Protocol):
    """Trading signals."""

    def add(self, signal: Signal) -> None: ...
    def get(self, signal_id: uuid.UUID) -> Signal | None: ...
    def by_status(self, status: SignalStatus, trading_pair: str | None = None) -> list[Signal]: ...


class TradeRepositoryProtocol(Protocol):
    """Round-trip trades (derived from the fills)."""

    def add_all(self, trades: Iterable[Trade]) -> None: ...
    def by_pair(
        self, trading_pair: str, since: datetime | None = None, until: datetime | None = None
    ) -> list[Trade]: ...
    def by_strategy(self, strategy_id: str) -> list[Trade]: ...
    def by_signal(self, signal_id: uuid.UUID) -> list[Trade]: ...
    def in_period(
        self, since: datetime | None = None, until: datetime | None = None
    ) -> list[Trade]: ...
    def all(self, trading_pair: str | None = None) -> list[Trade]: ...
    def figures(self, trading_pair: str | None = None) -> list[TradeFigures]: ...
    def open(self, trading_pair: str | None = None) -> list[Trade]: ...
    def delete_for(
        self, exchange: str, trading_pair: str, entered_since: datetime | None = None
    ) -> int: ...
    def add_bulk(self, trades: Iterable[Trade]) -> int: ...
    def grouping_of(self, exchange: str, trading_pair: str) -> TradeGrouping | None: ...
    def flat_point(self, exchange: str, trading_pair: str, at: datetime) -> datetime: ...
    def lock_pair(self, exchange: str, trading_pair: str) -> None: ...


class SnapshotRepositoryProtocol(Protocol):
    """Portfolio snapshots."""

    def add(self, snapshot: PortfolioSnapshot) -> None: ...
    def delete(self, snapshot: PortfolioSnapshot) -> None: ...
    def latest(self) -> PortfolioSnapshot | None: ...
    def between(
        self, start: datetime | None = None, end: datetime | None = None
    ) -> list[PortfolioSnapshot]: ...


class ConfigurationRepositoryProtocol(Protocol):
    """Configuration versions, at most one active."""

    def get_by_hash(self, config_hash: str) -> Configuration | None: ...
    def add(self, config: Configuration) -> Configuration: ...
    def active(self) -> Configuration | None: ...
    def activate(self, config: Configuration) -> Configuration: ...
    def all(self) -> list[Configuration]: ...


class LogRepositoryProtocol(Protocol):
    """Application log records."""

    def add(self, log: Log) -> None: ...
    def add_all(self, logs: Iterable[Log]) -> None: ...
    def between(
        self,
        start: datetime | None = None,
        end: datetime | None = None,
        logger_name: str | None = None,
        min_level: int | None = None,
    ) -> list[Log]: ...


class SystemLogRepositoryProtocol(Protocol):
    """System log entries."""

    def add(self, entry: SystemLog) -> None: ...
    def between(
        self,
        start: datetime | None = None,
        end: datetime | None = None,
        source_module: str | None = None,
        log_level: str | None = None,
    ) -> list[SystemLog]: ...


class EventRepositoryProtocol(Protocol):
    """The append-only event log."""

    def append_new(self, events: Sequence[EventLog]) -> int: ...
    def append(self, events: Iterable[EventLog]) -> None: ...
    def get(self, event_id: uuid.UUID) -> EventLog | None: ...
    def by_type(
        self,
        event_type: str,
        since: datetime | None = None,
        until: datetime | None = None,
        *,
        newest_first: bool = False,
        limit: int | None = None,
    ) -> list[EventLog]: ...
    def by_correlation(
        self,
        correlation_id: str | uuid.UUID | int,
        event_types: Iterable[str] | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        *,
        newest_first: bool = False,
        limit: int | None = None,
    ) -> list[EventLog]: ...
    def types(self) -> list[str]: ...


class LedgerRepositoryProtocol(Protocol):
    """An exchange ledger's entries, and the fills its trades are about."""

    def add_all(self, entries: Iterable[LedgerEntry]) -> int: ...
    def by_txids(self, exchange: str, txids: Iterable[str]) -> dict[str, LedgerEntry]: ...
    def pending(self, exchange: str | None = None) -> list[LedgerEntry]: ...
    def stream(self, exchange: str | None = None) -> Iterator[LedgerEntry]: ...
    def trades(
        self, exchange: str, types: Sequence[str] = ("trade",)
    ) -> dict[str, list[LedgerEntry]]: ...
    def trade_refids_among(
        self, exchange: str, refids: Sequence[str], types: Sequence[str] = ("trade",)
    ) -> set[str]: ...
    def exchanges(self) -> list[str]: ...
    def fills_by_ids(self, exchange: str, fill_ids: Sequence[str]) -> dict[str, Fill]: ...
    def fill_counts(self) -> dict[tuple[str, str], int]: ...
    def fill_keys_in_ledger(self) -> list[tuple[str, str, str]]: ...
    def stream_by_time(self) -> Iterator[LedgerEntry]: ...
    def trades_with_fills(
        self, exchange: str, types: Sequence[str] = ("trade",)
    ) -> Iterator[tuple[list[LedgerEntry], FillRecord | None]]: ...
    def reported_fills_in_ledger(self) -> Iterator[Fill]: ...


class CandleRepositoryProtocol(Protocol):
    """Price candles (docs/analytics.md, "Prices"); exchange ids are normalised on lookup."""

    def stored_between(
        self, exchange: str, trading_pair: str, interval_s: int, first: datetime, last: datetime
    ) -> dict[datetime, Candle]: ...
    def insert(self, candles: Sequence[Candle]) -> None: ...
    def flush(self) -> None: ...
    def series(self) -> list[tuple[str, str, int, int]]: ...
    def closes(
        self, exchange: str, trading_pair: str, interval_s: int | None = None
    ) -> list[tuple[datetime, Decimal]]: ...
    def exchanges_of(self, trading_pairs: Iterable[str]) -> dict[str, list[str]]: ...


class PositionReadsProtocol(Protocol):
    """Holdings per asset and net positions per pair (docs/reads.md)."""

    def positions(
        self, marks: Mapping[str, Decimal] | None = None, trading_pair: str | None = None
    ) -> list[Position]: ...
    def balances(self, exchange: str | None = None) -> list[Holding]: ...


class RiskReadsProtocol(Protocol):
    """Realized PnL by exit time and the current streak (docs/reads.md)."""

    def realized_pnl(
        self,
        since: datetime | None = None,
        until: datetime | None = None,
        trading_pair: str | None = None,
    ) -> dict[str, tuple[Decimal, int]]: ...
    def streak(self, trading_pair: str | None = None, as_of: datetime | None = None) -> Streak: ...


class HistoryReadsProtocol(Protocol):
    """Pages of fills, orders and trades with a keyset cursor (docs/reads.md)."""

    def fills(
        self,
        filters: HistoryFilter,
        *,
        order: HistoryOrder = ...,
        limit: int = ...,
        cursor: str | None = None,
        with_count: bool = False,
    ) -> Page[Fill]: ...
    def orders(
        self,
        filters: HistoryFilter,
        *,
        order: HistoryOrder = ...,
        limit: int = ...,
        cursor: str | None = None,
        with_count: bool = False,
    ) -> Page[Order]: ...
    def trades(
        self,
        filters: HistoryFilter,
        *,
        order: HistoryOrder = ...,
        limit: int = ...,
        cursor: str | None = None,
        with_count: bool = False,
    ) -> Page[Trade]: ...
    def count(self, kind: str, filters: HistoryFilter) -> int: ...


class RepositoriesProtocol(Protocol):
    """The repositories of one transaction (what code run inside a unit of work is given)."""

    @property
    def orders(self) -> OrderRepositoryProtocol: ...
    @property
    def fills(self) -> FillRepositoryProtocol: ...
    @property
    def signals(self) -> SignalRepositoryProtocol: ...
    @property
    def trades(self) -> TradeRepositoryProtocol: ...
    @property
    def snapshots(self) -> SnapshotRepositoryProtocol: ...
    @property
    def configurations(self) -> ConfigurationRepositoryProtocol: ...
    @property
    def logs(self) -> LogRepositoryProtocol: ...
    @property
    def system_logs(self) -> SystemLogRepositoryProtocol: ...
    @property
    def events(self) -> EventRepositoryProtocol: ...
    @property
    def ledger(self) -> LedgerRepositoryProtocol: ...
    @property
    def candles(self) -> CandleRepositoryProtocol: ...
    @property
    def positions(self) -> PositionReadsProtocol: ...
    @property
    def risk(self) -> RiskReadsProtocol: ...
    @property
    def history(self) -> HistoryReadsProtocol: ...


class UnitOfWorkProtocol(RepositoriesProtocol, Protocol):
    """One transaction and its repositories: ``with uow: ...; uow.commit()``.

    Leaving the block without ``commit()`` discards the work. The repositories are
    usable inside the block only.
    """

    def __enter__(self) -> Self: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
    def flush(self) -> None: ...
    def commit(self) -> None: ...
    def rollback(self) -> None: ...
    def import_writer(self) -> ImportWriterProtocol: ...


class ImportWriterProtocol(Protocol):
    """An import's bulk writer: new orders and their fills, written while the next chunk is
    read where the backend allows it (docs/import-flow.md)."""

    def __enter__(self) -> Self: ...
    def __exit__(self, *exc_info: object) -> None: ...
    def building(self) -> AbstractContextManager[None]: ...
    def write(self, orders: list[Order]) -> None: ...
    def wait(self) -> None: ...


UnitOfWorkFactory = Callable[[], UnitOfWorkProtocol]


class AsyncUnitOfWorkProtocol(Protocol):
    """One transaction for asyncio code: ``async with uow: await uow.run(work)``.

    ``run`` calls ``work`` with the transaction's repositories without blocking the loop.
    """

    async def __aenter__(self) -> Self: ...
    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
    async def run(self, work: Callable[[RepositoriesProtocol], T]) -> T: ...
    async def flush(self) -> None: ...
    async def commit(self) -> None: ...
    async def rollback(self) -> None: ...


AsyncUnitOfWorkFactory = Callable[[], AsyncUnitOfWorkProtocol]


class RetentionRepositoryProtocol(Protocol):
    """Old rows of ``logs``, ``system_logs`` and ``event_logs``, deleted in key ranges."""

    def delete_older(
        self, table: str, before: datetime, after_key: int | None, batch_size: int
    ) -> tuple[int, int | None]: ...


class RetentionUnitOfWorkProtocol(Protocol):
    """A unit of work that can prune (``services.retention``)."""

    @property
    def retention(self) -> RetentionRepositoryProtocol: ...
    def __enter__(self) -> Self: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
    def commit(self) -> None: ...


RetentionUnitOfWorkFactory = Callable[[], RetentionUnitOfWorkProtocol]


if TYPE_CHECKING:  # mypy proves the real classes and the fakes fit; nothing runs
    from gal_friday.persistence import in_memory
    from gal_friday.persistence import repositories as r
    from gal_friday.persistence.unit_of_work import AsyncUnitOfWork, UnitOfWork

    def _real_and_fake_fit(
        real: UnitOfWork, fake: in_memory.InMemoryUnitOfWork, real_async: AsyncUnitOfWork
    ) -> None:
        _real: UnitOfWorkProtocol = real
        _fake: UnitOfWorkProtocol = fake
        _factory: UnitOfWorkFactory = fake  # calling it opens another unit of work
        _async: AsyncUnitOfWorkProtocol = real_async
        _retention: RetentionUnitOfWorkProtocol = real
        _orders: OrderRepositoryProtocol = r.OrderRepository(real.session)
        _fake_orders: OrderRepositoryProtocol = in_memory.FakeOrders([])
        _fills: FillRepositoryProtocol = in_memory.FakeFills([])
        _real_fills: FillRepositoryProtocol = r.FillRepository(real.session)
        _trades: TradeRepositoryProtocol = r.TradeRepository(real.session)
        _fake_trades: TradeRepositoryProtocol = in_memory.FakeTrades([])
        _events: EventRepositoryProtocol = r.EventRepository(real.session)
        _fake_events: EventRepositoryProtocol = in_memory.FakeEvents([])
        _ledger: LedgerRepositoryProtocol = real.ledger
        _fake_ledger: LedgerRepositoryProtocol = in_memory.FakeLedger([], [])
        _candles: CandleRepositoryProtocol = real.candles
        _fake_candles: CandleRepositoryProtocol = in_memory.FakeCandles([])
        _snapshots: SnapshotRepositoryProtocol = real.snapshots
        _fake_snapshots: SnapshotRepositoryProtocol = in_memory.FakeSnapshots([])
        _positions: PositionReadsProtocol = real.positions
        _risk: RiskReadsProtocol = real.risk
        _history: HistoryReadsProtocol = real.history
        _fake_positions: PositionReadsProtocol = fake.positions
        _fake_risk: RiskReadsProtocol = fake.risk
        _fake_history: HistoryReadsProtocol = fake.history
