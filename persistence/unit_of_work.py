"""The unit of work: one transaction, the repositories on it, commit or roll back.

``with UnitOfWork(url) as uow: ...; uow.commit()`` — leaving the block without
``commit()`` rolls back. Database errors come out as storage errors (or the domain's
``DuplicateFillError``, :mod:`gal_friday.persistence.errors`) with the transaction
rolled back: those of ``commit``/``flush``, of the engine's statements, and any
driver error that leaves the block (the bulk path talks to psycopg directly).
``UnitOfWork(url, read_only=True)`` (and ``AsyncUnitOfWork``'s) is for transactions
that only read: on SQLite they do not take the write lock.

:class:`AsyncUnitOfWork` gives asyncio code the same repositories without a second
copy of the queries: ``await uow.run(lambda u: u.orders.get(pk))`` runs the
synchronous repositories inside ``AsyncSession.run_sync``.

One engine is kept per URL and process (:func:`~gal_friday.persistence.engines.engine_for`),
never one per unit of work; a forked child gets fresh pools
(:mod:`gal_friday.persistence.database`). The composition root,
:mod:`gal_friday.persistence.bootstrap`, hands out factories of both kinds.
"""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, Self, TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session

if TYPE_CHECKING:  # asyncio support is imported when used (start-up time of the CLI)
    from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

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
from gal_friday.persistence.tables.mapping import start_mappers

T = TypeVar("T")


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
            translated = translate_error(exc)
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
            translated = translate_error(exc)
            if translated is exc:
                raise
            raise translated from exc


class AsyncUnitOfWork:
    """The asyncio unit of work: the same repositories, run through ``run_sync``."""

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

    async def __aenter__(self) -> Self:
        self.session: AsyncSession = self._sessions()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.session.close()
        if exc is not None:
            translated = translate_error(exc)
            if translated is not exc:
                raise translated from exc

    async def run(self, work: Callable[[Repositories], T]) -> T:
        """Run ``work`` with the repositories of this transaction, without blocking the loop."""
        return await self.session.run_sync(lambda session: work(Repositories(session)))

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
            translated = translate_error(exc)
            if translated is exc:
                raise
            raise translated from exc
