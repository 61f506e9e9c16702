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

One engine is kept per URL and process (:func:`engine_for`), never one per unit of
work; a forked child gets fresh pools (:mod:`gal_friday.persistence.database`).
"""

from __future__ import annotations

import os
import threading
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
    create_async_engine,
    create_engine,
    new_session,
    resolve_url,
)
from gal_friday.persistence.database import read_only as read_only_engine
from gal_friday.persistence.errors import translate_error
from gal_friday.persistence.repositories import core as r
from gal_friday.persistence.repositories.candles import CandleRepository
from gal_friday.persistence.repositories.ledger import LedgerRepository

T = TypeVar("T")

_engines: dict[str, Engine] = {}
_async_engines: dict[str, AsyncEngine] = {}
_engines_lock = threading.Lock()


def _reset_lock_in_child() -> None:
    # Another thread of the parent may have held the lock at fork time.
    global _engines_lock
    _engines_lock = threading.Lock()


os.register_at_fork(after_in_child=_reset_lock_in_child)


def engine_for(url: str | URL | None = None) -> Engine:
    """The shared engine for ``url`` in this process (created on first use)."""
    key = resolve_url(url).render_as_string(hide_password=False)
    with _engines_lock:
        if key not in _engines:
            _engines[key] = create_engine(key)
        return _engines[key]


def async_engine_for(url: str | URL | None = None) -> AsyncEngine:
    """The shared asyncio engine for ``url`` (created on first use)."""
    key = resolve_url(url).render_as_string(hide_password=False)
    with _engines_lock:
        if key not in _async_engines:
            _async_engines[key] = create_async_engine(key)
        return _async_engines[key]


class Repositories:
    """The repositories of one session."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.orders = r.OrderRepository(session)
        self.fills = r.FillRepository(session)
        self.signals = r.SignalRepository(session)
        self.trades = r.TradeRepository(session)
        self.snapshots = r.SnapshotRepository(session)
        self.configurations = r.ConfigurationRepository(session)
        self.logs = r.LogRepository(session)
        self.system_logs = r.SystemLogRepository(session)
        self.events = r.EventRepository(session)
        self.ledger = LedgerRepository(session)
        self.candles = CandleRepository(session)


class UnitOfWork(Repositories):
    """A transaction with its repositories; commit explicitly, otherwise it rolls back."""

    def __init__(
        self, engine_or_url: Engine | str | URL | None = None, *, read_only: bool = False
    ) -> None:
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
