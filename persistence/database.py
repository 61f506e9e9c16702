"""Engines and sessions from a database URL, configured the same way everywhere.

The URL comes from the argument, else ``GALFRIDAY_DATABASE_URL``, else
``sqlite:///galfriday.db``. ``postgresql://`` and ``postgres://`` URLs use
psycopg 3. SQLite connections get foreign keys on, a busy timeout, and WAL for
files. Sessions keep their objects usable after commit (``expire_on_commit=False``).
Passwords never appear in what this module logs or raises: use :func:`mask_url`.
"""

from __future__ import annotations

import os
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy import create_engine as sa_create_engine
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.ext.asyncio import create_async_engine as sa_create_async_engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from gal_friday.persistence.orm import start_mappers

DEFAULT_DATABASE_URL = "sqlite:///galfriday.db"
DATABASE_URL_ENV = "GALFRIDAY_DATABASE_URL"


class DatabaseURLError(ValueError):
    """A database URL that cannot be used (the message never contains the password)."""


def resolve_url(url: str | URL | None = None) -> URL:
    """The URL to use: the argument, else $GALFRIDAY_DATABASE_URL, else the SQLite default."""
    raw = url if url is not None else os.environ.get(DATABASE_URL_ENV) or DEFAULT_DATABASE_URL
    try:
        parsed = make_url(raw)
    except ArgumentError:
        raise DatabaseURLError(f"not a database URL: {mask_url(str(raw))}") from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    backend = parsed.get_backend_name()
    if backend not in ("postgresql", "sqlite"):
        raise DatabaseURLError(
            f"unsupported database {backend!r} in {mask_url(parsed)}: use postgresql or sqlite"
        )
    return parsed


def mask_url(url: str | URL) -> str:
    """The URL with its password replaced by ``***``."""
    if isinstance(url, URL):
        return url.render_as_string(hide_password=True)
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        # Not parseable: hide anything between "://user:" and "@".
        head, sep, rest = url.partition("://")
        if sep and "@" in rest:
            credentials, _, host = rest.rpartition("@")
            user = credentials.split(":", 1)[0]
            return f"{head}://{user}:***@{host}"
        return url


def _is_memory_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")


def _engine_kwargs(url: URL, kwargs: dict[str, Any]) -> dict[str, Any]:
    options = dict(kwargs)
    if url.get_backend_name() == "postgresql":
        options.setdefault("pool_pre_ping", True)
    elif _is_memory_sqlite(url):
        options.setdefault("poolclass", StaticPool)
        options.setdefault("connect_args", {"check_same_thread": False})
    return options


def _configure_sqlite(engine: Engine, url: URL) -> None:
    """Foreign keys, busy timeout and WAL on every new SQLite connection; real BEGINs."""
    use_wal = not _is_memory_sqlite(url)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin (the pysqlite
        # driver's own handling breaks SAVEPOINT and transactional DDL).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")  # ms a writer waits for the lock
        if use_wal:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN")


def create_engine(url: str | URL | None = None, **kwargs: Any) -> Engine:
    """A configured synchronous engine (and the domain mapped)."""
    start_mappers()
    resolved = resolve_url(url)
    engine = sa_create_engine(resolved, **_engine_kwargs(resolved, kwargs))
    if resolved.get_backend_name() == "sqlite":
        _configure_sqlite(engine, resolved)
    return engine


def async_url(url: str | URL | None = None) -> URL:
    """The asyncio driver's URL: psycopg's async mode for PostgreSQL, aiosqlite for SQLite."""
    resolved = resolve_url(url)
    if resolved.get_backend_name() == "sqlite":
        return resolved.set(drivername="sqlite+aiosqlite")
    return resolved


def create_async_engine(url: str | URL | None = None, **kwargs: Any) -> AsyncEngine:
    """A configured asyncio engine (and the domain mapped)."""
    start_mappers()
    resolved = async_url(url)
    engine = sa_create_async_engine(resolved, **_engine_kwargs(resolved, kwargs))
    if resolved.get_backend_name() == "sqlite":
        _configure_sqlite(engine.sync_engine, resolved)
    return engine


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions bound to ``engine`` whose objects stay readable after commit."""
    return sessionmaker(bind=engine, expire_on_commit=False)


def async_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Async sessions bound to ``engine`` whose objects stay readable after commit."""
    return async_sessionmaker(bind=engine, expire_on_commit=False)
