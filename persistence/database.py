"""Engines and sessions from a database URL, configured the same way everywhere.

Every engine made here (see ``docs/database.md``):

* has a connect timeout and a statement timeout on PostgreSQL, a busy timeout on
  SQLite (:mod:`gal_friday.persistence.urls`);
* raises :class:`~gal_friday.persistence.errors.StorageError` subclasses instead of
  the driver's errors when the database itself fails (unreachable, dropped, timed
  out, locked, no schema);
* on SQLite: foreign keys on, WAL for files, and write transactions that take the
  write lock when they begin (``BEGIN IMMEDIATE``), so two writers queue on the
  busy timeout instead of failing with "database is locked";
* is fork safe: a forked child never touches its parent's pooled connections;
* masks every password in its URL (``repr(engine)`` included);
* on PostgreSQL: pings a pooled connection before handing it out (pre-ping), except
  inside :func:`skipping_pre_ping` (a caller that retries a lost connection itself).

Sessions keep their objects usable after commit (``expire_on_commit=False``).
"""

from __future__ import annotations

import contextlib
import os
import weakref
from collections.abc import Iterator
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, event
from sqlalchemy import create_engine as sa_create_engine
from sqlalchemy.engine import URL, ExceptionContext
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import PoolProxiedConnection, QueuePool, StaticPool

if TYPE_CHECKING:  # asyncio support is imported when used (start-up time of the CLI)
    from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from gal_friday.persistence.errors import translate_operational_error
from gal_friday.persistence.internals import PerCheckoutPingPool, mark_pinged
from gal_friday.persistence.tables.mapping import MappedSession
from gal_friday.persistence.urls import (
    DATABASE_URL_ENV,
    DEFAULT_DATABASE_URL,
    DatabaseURLError,
    Timeouts,
    mask_url,
    resolve_url,
    secret_query,
    timeouts,
    without_options,
)


def __getattr__(name: str) -> Any:
    """``AsyncEngine``, re-exported, imported on first use."""
    if name == "AsyncEngine":
        from sqlalchemy.ext.asyncio import AsyncEngine

        return AsyncEngine
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "DATABASE_URL_ENV",
    "DEFAULT_DATABASE_URL",
    "READ_ONLY",
    "AsyncEngine",
    "DatabaseURLError",
    "Engine",
    "async_session_factory",
    "async_url",
    "create_async_engine",
    "create_engine",
    "mask_url",
    "new_session",
    "read_only",
    "resolve_url",
    "session_factory",
    "skipping_pre_ping",
]

# An execution option: transactions on this engine only read (SQLite begins them DEFERRED).
READ_ONLY = "galfriday_read_only"


def read_only(engine: Engine) -> Engine:
    """``engine`` for transactions that only read: on SQLite they do not take the write lock."""
    return engine.execution_options(**{READ_ONLY: True})


#: True while the pool's pre-ping is skipped for this thread's (task's) checkouts.
_pre_ping_skipped: ContextVar[bool] = ContextVar("galfriday_pre_ping_skipped", default=False)


@contextlib.contextmanager
def skipping_pre_ping() -> Iterator[None]:
    """Connections checked out in this block are not pinged first (PostgreSQL engines).

    For a caller that retries a lost connection itself (``record_fill``): the ping is
    one round trip on its hot path, and a dead connection fails its first statement
    with :class:`~gal_friday.persistence.errors.DatabaseUnavailableError` before
    anything was written, which the caller retries on a fresh one.
    """
    token = _pre_ping_skipped.set(True)
    try:
        yield
    finally:
        _pre_ping_skipped.reset(token)


class _SkippablePingPool(PerCheckoutPingPool):
    """A ``QueuePool`` whose pre-ping :func:`skipping_pre_ping` turns off for its block."""

    def pings_now(self) -> bool:
        """Not inside :func:`skipping_pre_ping` (this thread or task)."""
        return not _pre_ping_skipped.get()

    def connect(self) -> PoolProxiedConnection:
        connection = super().connect()
        if _pre_ping_skipped.get():
            # the next checkout outside the block must still ping a new connection
            mark_pinged(connection)
        return connection

    def recreate(self) -> QueuePool:
        token = _pre_ping_skipped.set(False)  # the new pool pings as this one does
        try:
            return super().recreate()
        finally:
            _pre_ping_skipped.reset(token)


def _is_memory_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")


def _postgres_options(url: URL, limits: Timeouts) -> str:
    """libpq ``options``: the URL's own, plus the statement timeout unless it sets one."""
    given = url.query.get("options") or ""
    options = given if isinstance(given, str) else " ".join(given)
    if limits.statement and "statement_timeout" not in options:
        milliseconds = int(limits.statement * 1000)
        options = f"{options} -c statement_timeout={milliseconds}".strip()
    return options


def _engine_kwargs(url: URL, limits: Timeouts, kwargs: dict[str, Any]) -> dict[str, Any]:
    options = dict(kwargs)
    connect_args = dict(options.pop("connect_args", {}))
    if url.get_backend_name() == "postgresql":
        options.setdefault("pool_pre_ping", True)
        if limits.connect:
            connect_args.setdefault("connect_timeout", int(limits.connect.to_integral_value()))
        if postgres_options := _postgres_options(url, limits):
            connect_args.setdefault("options", postgres_options)
        connect_args.update(secret_query(url))
    else:
        # sqlite3's timeout is SQLite's busy timeout: how long a writer waits for the lock.
        connect_args.setdefault("timeout", float(limits.busy))
        if _is_memory_sqlite(url):
            options.setdefault("poolclass", StaticPool)
            connect_args.setdefault("check_same_thread", False)
    options["connect_args"] = connect_args
    return options


def _driver_url(url: URL) -> URL:
    """What the driver is given: no options of ours, no secrets in the query."""
    cleaned = without_options(url).difference_update_query(list(secret_query(url)))
    cleaned = cleaned.difference_update_query(["options"])
    return _read_only_file(cleaned) if cleaned.get_backend_name() == "sqlite" else cleaned


def _read_only_file(url: URL) -> URL:
    """A SQLite file in a folder this process cannot write, opened read-only (docs/database.md).

    SQLite would try to create its ``-wal``/``-shm`` files (or a journal) beside the
    file and fail even to read. Read-only (``mode=ro``), and ``immutable`` when no
    ``-wal`` file holds changes not yet in the file itself (then SQLite needs the
    ``-shm`` beside it, as a cleanly closed database leaves it); writes fail as writes.
    """
    path = url.database
    if not path or path == ":memory:" or path.startswith("file:") or url.query.get("uri"):
        return url
    file = Path(path)
    if not file.is_file() or os.access(file.parent, os.W_OK):
        return url
    wal = Path(f"{path}-wal")
    pending = wal.exists() and wal.stat().st_size > 0
    flags = "mode=ro" if pending else "mode=ro&immutable=1"
    return url.set(database=f"file:{file.resolve()}?{flags}").update_query_dict({"uri": "true"})


def _configure_sqlite(engine: Engine, url: URL) -> None:
    """Foreign keys on every new connection, WAL for our files; BEGIN IMMEDIATE for writers.

    WAL is set on a database with no table yet (the file ``db upgrade`` creates; the
    mode then stays with the file) and kept where it is set; a file that already holds
    someone else's tables keeps its journal mode: only reading it never changes it.
    The busy timeout is the driver's ``timeout`` connect argument (``_engine_kwargs``).
    """
    use_wal = not _is_memory_sqlite(url)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # SQLAlchemy's documented pysqlite/aiosqlite recipe: the driver never begins a
        # transaction itself (its own handling breaks SAVEPOINT and transactional DDL)...
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        if use_wal and _wants_wal(cursor):
            cursor.execute("PRAGMA journal_mode=WAL")
        if use_wal and _journal_mode(cursor) == "wal":
            cursor.execute("PRAGMA synchronous=NORMAL")  # durable enough in WAL mode only
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # ...and the begin event does. A DEFERRED transaction that reads first cannot
        # upgrade to a write once another writer has committed (SQLITE_BUSY at once, the
        # busy timeout never applies); IMMEDIATE takes the write lock at BEGIN, waiting for it.
        deferred = connection.get_execution_options().get(READ_ONLY, False)
        connection.exec_driver_sql("BEGIN" if deferred else "BEGIN IMMEDIATE")


def _wants_wal(cursor: Any) -> bool:
    """True for a database with no table yet: a new file, ours from its first table on."""
    cursor.execute("SELECT count(*) FROM sqlite_master")  # the row from the cursor: aiosqlite's
    tables: int = cursor.fetchone()[0]  # adapted execute() does not return it
    return tables == 0


def _journal_mode(cursor: Any) -> str:
    cursor.execute("PRAGMA journal_mode")
    mode: str = cursor.fetchone()[0]
    return mode


def _translate_errors(engine: Engine) -> None:
    """Failures of the database itself leave the engine as storage errors."""

    @event.listens_for(engine, "handle_error")
    def _on_error(context: ExceptionContext) -> None:
        original = context.sqlalchemy_exception
        if context.is_pre_ping or not isinstance(original, DBAPIError):
            return  # the pool's pre-ping handles its own errors
        translated = translate_operational_error(original)
        if translated is not None:
            raise translated


# Every engine of this process, so that a forked child can drop their pools (below).
_engines: weakref.WeakSet[Engine] = weakref.WeakSet()


def _after_fork_in_child() -> None:
    """SQLAlchemy's recipe: the child gets fresh pools and leaves the parent's connections be."""
    for engine in list(_engines):
        engine.dispose(close=False)


os.register_at_fork(after_in_child=_after_fork_in_child)


def _configure(engine: Engine, url: URL, limits: Timeouts) -> None:
    _translate_errors(engine)
    if url.get_backend_name() == "sqlite":
        _configure_sqlite(engine, url)
    _engines.add(engine)


def create_engine(url: str | URL | None = None, **kwargs: Any) -> Engine:
    """A configured synchronous engine (mapping the domain is the composition root's job:
    :mod:`gal_friday.persistence.bootstrap`)."""
    resolved = resolve_url(url)
    limits = timeouts(resolved)
    options = _engine_kwargs(resolved, limits, kwargs)
    if resolved.get_backend_name() == "postgresql":
        options.setdefault("poolclass", _SkippablePingPool)
    engine = sa_create_engine(_driver_url(resolved), **options)
    _configure(engine, resolved, limits)
    return engine


def async_url(url: str | URL | None = None) -> URL:
    """The asyncio driver's URL: psycopg's async mode for PostgreSQL, aiosqlite for SQLite."""
    resolved = resolve_url(url)
    if resolved.get_backend_name() == "sqlite":
        return resolved.set(drivername="sqlite+aiosqlite")
    return resolved


def create_async_engine(url: str | URL | None = None, **kwargs: Any) -> AsyncEngine:
    """A configured asyncio engine, with the same timeouts and rules."""
    from sqlalchemy.ext.asyncio import create_async_engine as sa_create_async_engine

    resolved = async_url(url)
    limits = timeouts(resolved)
    engine = sa_create_async_engine(
        _driver_url(resolved), **_engine_kwargs(resolved, limits, kwargs)
    )
    _configure(engine.sync_engine, resolved, limits)
    return engine


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions bound to ``engine`` whose objects stay readable after commit."""
    return sessionmaker(bind=engine, class_=MappedSession, expire_on_commit=False)


#: One sessionmaker for every unit of work (each makes a class; 0.2-0.3 ms per unit of work).
_sessions = sessionmaker(class_=MappedSession, expire_on_commit=False)


def new_session(bind: Engine) -> Session:
    """A session on ``bind`` whose objects stay readable after commit (as
    :func:`session_factory`'s)."""
    return _sessions(bind=bind)


def async_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Async sessions bound to ``engine`` whose objects stay readable after commit."""
    from sqlalchemy.ext.asyncio import async_sessionmaker

    return async_sessionmaker(bind=engine, sync_session_class=MappedSession, expire_on_commit=False)
