"""The unit of work: one transaction, the repositories on it, commit or roll back.

``with UnitOfWork(url) as uow: ...; uow.commit()`` — leaving the block without
``commit()`` rolls back. Database errors come out as storage errors (or the domain's
``DuplicateFillError``, :mod:`gal_friday.persistence.errors`) with the transaction
rolled back: those of ``commit``/``flush``, of the engine's statements, and any
driver error that leaves the block (the bulk path talks to psycopg directly).
``UnitOfWork(url, read_only=True)`` (and ``AsyncUnitOfWork``'s) is for transactions
that only read: on SQLite they do not take the write lock.

:class:`AsyncUnitOfWork` gives asyncio code the same repositories without a second
copy of the queries (``docs/asyncio.md``): ``await uow.signals.add(signal)`` awaits any
repository method, and ``await uow.run(lambda repos: ...)`` runs several calls in one
step; both run the synchronous repositories inside ``AsyncSession.run_sync``, so every
repository operation (the bulk writes included) works on aiosqlite and on psycopg's
asyncio connection.

One engine is kept per URL and process (:func:`~gal_friday.persistence.engines.engine_for`),
never one per unit of work; a forked child gets fresh pools
(:mod:`gal_friday.persistence.database`). The composition root,
:mod:`gal_friday.persistence.bootstrap`, hands out factories of both kinds.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Iterator
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, Self, TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError, StatementError
from sqlalchemy.orm import Session

if TYPE_CHECKING:  # asyncio support is imported when used (start-up time of the CLI)
    from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from gal_friday.domain.errors import DomainError
from gal_friday.persistence.database import (
    READ_ONLY,
    async_session_factory,
    new_session,
)
from gal_friday.persistence.database import read_only as read_only_engine
from gal_friday.persistence.engines import async_engine_for, engine_for
from gal_friday.persistence.errors import translate_error
from gal_friday.persistence.fastpath.import_writer import ImportWriter
from gal_friday.persistence.repositories import (
    CandleRepository,
    ConfigurationRepository,
    EventRepository,
    FillRepository,
    LedgerRepository,
    LogRepository,
    OrderRepository,
    SignalRepository,
    SnapshotRepository,
    SystemLogRepository,
    TradeRepository,
)
from gal_friday.persistence.repositories.history import HistoryRepository
from gal_friday.persistence.repositories.positions import PositionRepository
from gal_friday.persistence.repositories.retention import RetentionRepository
from gal_friday.persistence.repositories.risk import RiskRepository
from gal_friday.persistence.tables.mapping import start_mappers

T = TypeVar("T")
R = TypeVar("R")


def _translated(exc: BaseException) -> BaseException:
    """The storage or domain error for ``exc``; a domain error raised while a value bound
    (a JSON value without an encoding, ``docs/payloads.md``) comes out as itself, not
    wrapped in SQLAlchemy's ``StatementError``."""
    bound = isinstance(exc, StatementError) and not isinstance(exc, DBAPIError)
    orig = exc.orig if isinstance(exc, StatementError) and bound else None
    if isinstance(orig, DomainError):
        return orig
    return translate_error(exc)


class Repositories:
    """The repositories of one session."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.orders = OrderRepository(session)
        self.fills = FillRepository(session)
        self.signals = SignalRepository(session)
        self.trades = TradeRepository(session)
        self.snapshots = SnapshotRepository(session)
        self.configurations = ConfigurationRepository(session)
        self.logs = LogRepository(session)
        self.system_logs = SystemLogRepository(session)
        self.events = EventRepository(session)
        self.ledger = LedgerRepository(session)
        self.candles = CandleRepository(session)
        self.positions = PositionRepository(session)
        self.risk = RiskRepository(session)
        self.retention = RetentionRepository(session)
        self.history = HistoryRepository(session)


class UnitOfWork(Repositories):
    """A transaction with its repositories; commit explicitly, otherwise it rolls back."""

    def __init__(
        self, engine_or_url: Engine | str | URL | None = None, *, read_only: bool = False
    ) -> None:
        start_mappers()  # a caller may use the unit of work without the composition root
        engine = engine_or_url if isinstance(engine_or_url, Engine) else engine_for(engine_or_url)
        self.engine = engine
        self._bind = read_only_engine(engine) if read_only else engine

    def __enter__(self) -> Self:
        super().__init__(new_session(self._bind))
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # close() rolls back whatever was not committed and detaches the loaded objects
        # without expiring them, so what a read returned stays readable after the block.
        self.session.close()
        if exc is not None:
            translated = _translated(exc)
            if translated is not exc:
                raise translated from exc

    @property
    def connection(self) -> Connection:
        """The transaction's connection (for the bulk path, which bypasses the ORM)."""
        return self.session.connection()

    def flush(self) -> None:
        """Send pending changes; database errors become storage errors (and roll back)."""
        self._guard(self.session.flush)

    def commit(self) -> None:
        """Commit; database errors become storage errors (and roll back)."""
        self._guard(self.session.commit)

    def import_writer(self) -> ImportWriter:
        """A bulk writer of an import's new orders and fills in this transaction."""
        return ImportWriter(self)

    def rollback(self) -> None:
        """Discard everything since the last commit."""
        self.session.rollback()

    def _guard(self, action: Callable[[], None]) -> None:
        try:
            action()
        except Exception as exc:
            self.session.rollback()
            translated = _translated(exc)
            if translated is exc:
                raise
            raise translated from exc


@functools.cache
def _repository_names() -> frozenset[str]:
    """The names of the repositories :class:`Repositories` makes (read from one made on no
    session: a repository only keeps its session when made)."""
    try:
        made = Repositories(None)  # type: ignore[arg-type]
    except Exception:  # a repository that uses its session when made: the listed ones only
        return frozenset()
    return frozenset(name for name in vars(made) if name != "session")


class AsyncRepository(Generic[R]):
    """A repository of an :class:`AsyncUnitOfWork`: each method of ``R``, awaited.

    ``await uow.fills.for_order(pk)`` runs ``FillRepository.for_order`` in the
    transaction (``AsyncSession.run_sync``) and returns what it returns; an iterator
    (``fills.stream``) comes back as a list, read inside the transaction.
    """

    def __init__(self, uow: AsyncUnitOfWork, pick: Callable[[Repositories], R]) -> None:
        self._uow = uow
        self._pick = pick

    def __getattr__(self, name: str) -> Callable[..., Awaitable[Any]]:
        if name.startswith("_"):
            raise AttributeError(name)

        async def call(*args: Any, **kwargs: Any) -> Any:
            def work(repositories: Repositories) -> Any:
                result = getattr(self._pick(repositories), name)(*args, **kwargs)
                return list(result) if isinstance(result, Iterator) else result

            return await self._uow.run(work)

        call.__name__ = name
        return call


class AsyncUnitOfWork:
    """The asyncio unit of work: the same repositories, awaited (``docs/asyncio.md``).

    ``async with AsyncUnitOfWork(url) as uow: await uow.signals.add(s); await uow.commit()``;
    leaving the block without ``commit()`` rolls back.
    """

    orders: AsyncRepository[OrderRepository]
    fills: AsyncRepository[FillRepository]
    signals: AsyncRepository[SignalRepository]
    trades: AsyncRepository[TradeRepository]
    snapshots: AsyncRepository[SnapshotRepository]
    configurations: AsyncRepository[ConfigurationRepository]
    logs: AsyncRepository[LogRepository]
    system_logs: AsyncRepository[SystemLogRepository]
    events: AsyncRepository[EventRepository]
    ledger: AsyncRepository[LedgerRepository]
    candles: AsyncRepository[CandleRepository]

    def __init__(
        self, engine_or_url: AsyncEngine | str | URL | None = None, *, read_only: bool = False
    ) -> None:
        from sqlalchemy.ext.asyncio import AsyncEngine

        start_mappers()  # a caller may use the unit of work without the composition root
        if isinstance(engine_or_url, AsyncEngine):
            self.engine = engine_or_url
        else:
            self.engine = async_engine_for(engine_or_url)
        bind = self.engine.execution_options(**{READ_ONLY: True}) if read_only else self.engine
        self._sessions = async_session_factory(bind)
        self.orders = AsyncRepository(self, lambda r: r.orders)
        self.fills = AsyncRepository(self, lambda r: r.fills)
        self.signals = AsyncRepository(self, lambda r: r.signals)
        self.trades = AsyncRepository(self, lambda r: r.trades)
        self.snapshots = AsyncRepository(self, lambda r: r.snapshots)
        self.configurations = AsyncRepository(self, lambda r: r.configurations)
        self.logs = AsyncRepository(self, lambda r: r.logs)
        self.system_logs = AsyncRepository(self, lambda r: r.system_logs)
        self.events = AsyncRepository(self, lambda r: r.events)
        self.ledger = AsyncRepository(self, lambda r: r.ledger)
        self.candles = AsyncRepository(self, lambda r: r.candles)
        self._repositories: Repositories | None = None

    async def __aenter__(self) -> Self:
        self.session: AsyncSession = self._sessions()
        self._repositories = None
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.session.close()
        if exc is not None:
            translated = _translated(exc)
            if translated is not exc:
                raise translated from exc

    if not TYPE_CHECKING:  # mypy sees the repositories listed above (and catches typos)

        def __getattr__(self, name: str) -> AsyncRepository[Any]:
            """Any other repository of :class:`Repositories` (one added after the list
            above), awaited the same way."""
            if name.startswith("_") or name not in _repository_names():
                raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
            return AsyncRepository(self, lambda repositories: getattr(repositories, name))

    async def run(self, work: Callable[[Repositories], T]) -> T:
        """Run ``work`` with the repositories of this transaction, without blocking the loop."""
        return await self.session.run_sync(lambda session: work(self._repositories_of(session)))

    def _repositories_of(self, session: Session) -> Repositories:
        """The transaction's repositories (made once per block: ``session`` is the same)."""
        if self._repositories is None or self._repositories.session is not session:
            self._repositories = Repositories(session)
        return self._repositories

    async def flush(self) -> None:
        """Send pending changes; database errors become storage errors (and roll back)."""
        await self._guard(self.session.flush)

    async def commit(self) -> None:
        """Commit; database errors become storage errors (and roll back)."""
        await self._guard(self.session.commit)

    async def rollback(self) -> None:
        """Discard everything since the last commit."""
        await self.session.rollback()

    async def _guard(self, action: Callable[[], object]) -> None:
        try:
            await action()  # type: ignore[misc]
        except Exception as exc:
            await self.session.rollback()
            translated = _translated(exc)
            if translated is exc:
                raise
            raise translated from exc
