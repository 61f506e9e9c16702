"""gal_friday.persistence.internals, the pool and connection half (the live path's): each
SQLAlchemy behaviour relied on, pinned on PostgreSQL. The ORM half is in
tests/unit/persistence/test_internals.py."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from sqlalchemy import Engine, event, text
from sqlalchemy import create_engine as sa_create_engine
from sqlalchemy.exc import DBAPIError, OperationalError, ProgrammingError

from gal_friday.persistence import internals


class _Switch(internals.PerCheckoutPingPool):
    pinging = True

    def pings_now(self) -> bool:
        return self.pinging


def _engine(url: Any) -> Engine:
    return sa_create_engine(url, poolclass=_Switch, pool_pre_ping=True, pool_size=1)


def _count_pings(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    pings = [0]
    ping = engine.dialect.do_ping

    def counted(dbapi_connection: Any) -> bool:
        pings[0] += 1
        return ping(dbapi_connection)

    monkeypatch.setattr(engine.dialect, "do_ping", counted)
    return pings


def test_the_pool_asks_whether_to_ping_at_every_checkout(postgres_url, monkeypatch):
    engine = _engine(postgres_url)
    pings = _count_pings(engine, monkeypatch)
    try:
        with engine.connect():
            pass  # a new connection is not pinged (fresh)
        with engine.connect():
            pass
        assert pings == [1]
        _Switch.pinging = False
        with engine.connect():
            pass
        assert pings == [1]
        _Switch.pinging = True
        with engine.connect():
            pass
        assert pings == [2]
    finally:
        _Switch.pinging = True
        engine.dispose()


def test_a_new_connection_is_fresh_until_marked(postgres_url, monkeypatch):
    engine = _engine(postgres_url)
    pings = _count_pings(engine, monkeypatch)
    try:
        _Switch.pinging = False
        with engine.connect() as conn:  # new, checked out unpinged: still "fresh"
            assert conn.connection._connection_record.fresh is True  # type: ignore[attr-defined]
        _Switch.pinging = True
        with engine.connect():
            pass
        assert pings == [0]  # the fresh mark skipped the ping
        engine.dispose()
        _Switch.pinging = False
        with engine.connect() as conn:
            internals.mark_pinged(conn.connection)
        _Switch.pinging = True
        with engine.connect():
            pass
        assert pings == [1]  # marked: the next checkout pings it
    finally:
        _Switch.pinging = True
        engine.dispose()


def test_a_driver_error_is_handled_as_a_core_statements(postgres_url):
    engine = sa_create_engine(postgres_url)  # no translation of ours: SQLAlchemy's own wrapper
    seen: list[Any] = []
    event.listen(engine, "handle_error", lambda context: seen.append(context.original_exception))
    try:
        with engine.connect() as conn:
            driver = conn.connection.driver_connection
            assert isinstance(driver, psycopg.Connection)
            try:
                driver.execute("SELECT * FROM no_such_table")
            except psycopg.Error as exc:
                error: BaseException = exc
            with pytest.raises(ProgrammingError) as wrapped:
                internals.raise_as_core_would(conn, error, "SELECT * FROM no_such_table", {})
            assert wrapped.value.orig is error and seen == [error]
            assert not wrapped.value.connection_invalidated
    finally:
        engine.dispose()


def test_a_lost_connection_is_invalidated(postgres_url):
    engine = sa_create_engine(postgres_url)
    try:
        with engine.connect() as conn:
            pid = conn.scalar(text("SELECT pg_backend_pid()"))
            with engine.connect() as other:
                other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            driver = conn.connection.driver_connection
            assert isinstance(driver, psycopg.Connection)
            try:
                driver.execute("SELECT 1")
            except psycopg.Error as exc:
                error: BaseException = exc
            with pytest.raises(DBAPIError) as wrapped:
                internals.raise_as_core_would(conn, error, "SELECT 1", {})
            assert isinstance(wrapped.value, OperationalError) and wrapped.value.orig is error
            assert wrapped.value.connection_invalidated
            assert conn.invalidated
    finally:
        engine.dispose()
