"""Storage errors: their own hierarchy, raised for every database failure, with timeouts."""

from __future__ import annotations

import ast
import asyncio
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, event, text

from gal_friday.domain import DomainError, DuplicateFillError, NotFoundError
from gal_friday.persistence.database import create_async_engine, create_engine
from gal_friday.persistence.errors import (
    ConcurrencyError,
    ConstraintViolationError,
    DatabaseTimeoutError,
    DatabaseUnavailableError,
    SchemaMissingError,
    StorageError,
)
from gal_friday.persistence.fastpath import bulk
from gal_friday.persistence.unit_of_work import UnitOfWork
from tests.factories import make_fill, make_order
from tests.support import databases
from tests.support.hung_server import hung_server

ROOT = Path(__file__).resolve().parents[2]
STORAGE_ERRORS = [
    ConcurrencyError,
    ConstraintViolationError,
    DatabaseTimeoutError,
    DatabaseUnavailableError,
    SchemaMissingError,
]


@pytest.mark.parametrize("error", STORAGE_ERRORS)
def test_storage_errors_are_not_domain_errors(error):
    assert issubclass(error, StorageError)
    assert not issubclass(error, DomainError)


def test_business_rule_errors_stay_in_the_domain():
    assert issubclass(NotFoundError, DomainError)
    assert issubclass(DuplicateFillError, DomainError)
    assert not issubclass(NotFoundError, StorageError)


def test_services_do_not_import_the_database_libraries():
    offenders = []
    for path in sorted((ROOT / "services").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [
                f"{path.name}: {name}"
                for name in names
                if name.split(".")[0] in ("sqlalchemy", "psycopg", "sqlite3", "aiosqlite")
            ]
    assert offenders == []


def _hung_url(port: int, query: str = "") -> str:
    return f"postgresql://trader:s3cr3t@127.0.0.1:{port}/gal{query}"


def test_a_server_that_never_answers_fails_within_the_connect_timeout():
    with hung_server() as server:
        engine = create_engine(_hung_url(server.port, "?connect_timeout=2"))
        given = _connect_timeouts(engine)
        with pytest.raises(DatabaseTimeoutError) as info, engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    assert server.accepted >= 1
    assert given == [2]  # the URL's timeout reached the driver...
    assert "s3cr3t" not in str(info.value)
    assert "did not answer in time: connection timeout expired" in str(info.value)  # ...and fired


def test_the_default_connect_timeout_bounds_a_hung_server(monkeypatch):
    monkeypatch.delenv("GALFRIDAY_DB_CONNECT_TIMEOUT", raising=False)
    with hung_server() as server:
        engine = create_engine(_hung_url(server.port))
        given = _connect_timeouts(engine)
        with pytest.raises(DatabaseTimeoutError) as info, UnitOfWork(engine) as uow:
            uow.orders.get(1)
        engine.dispose()
    assert given == [5]  # the default; how long it takes is a README figure, not a bound here
    assert "connection timeout expired" in str(info.value)


def _connect_timeouts(engine: Engine) -> list[object]:
    """The ``connect_timeout`` each connection attempt of ``engine`` gives the driver."""
    seen: list[object] = []

    @event.listens_for(engine, "do_connect")
    def _record(_dialect: object, _record: object, _cargs: object, cparams: dict) -> None:
        seen.append(cparams.get("connect_timeout"))

    return seen


def test_the_async_engine_has_the_connect_timeout_too():
    async def connect(port: int) -> None:
        engine = create_async_engine(_hung_url(port, "?connect_timeout=2"))
        try:
            async with engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        finally:
            await engine.dispose()

    with hung_server() as server:
        started = time.monotonic()
        with pytest.raises(DatabaseTimeoutError):
            asyncio.run(connect(server.port))
        assert time.monotonic() - started < 5


def _with_query(url, **query: str) -> str:
    return url.update_query_dict(query).render_as_string(hide_password=False)


def test_a_statement_past_the_statement_timeout_is_stopped(postgres_url):
    engine = create_engine(_with_query(postgres_url, statement_timeout="0.3"))
    started = time.monotonic()
    with pytest.raises(DatabaseTimeoutError, match="statement timeout"), engine.connect() as conn:
        conn.execute(text("SELECT pg_sleep(5)"))
    assert time.monotonic() - started < 3
    engine.dispose()


def test_the_async_engine_has_the_statement_timeout_too(postgres_url):
    async def sleep() -> None:
        engine = create_async_engine(_with_query(postgres_url, statement_timeout="0.3"))
        try:
            async with engine.connect() as conn:
                await conn.execute(text("SELECT pg_sleep(5)"))
        finally:
            await engine.dispose()

    with pytest.raises(DatabaseTimeoutError):
        asyncio.run(sleep())


def test_default_timeouts_reach_the_server_and_sqlite(monkeypatch, postgres_url, tmp_path):
    monkeypatch.delenv("GALFRIDAY_DB_STATEMENT_TIMEOUT", raising=False)
    engine = create_engine(postgres_url)
    with engine.connect() as conn:
        assert conn.scalar(text("SHOW statement_timeout")) == "1min"
    engine.dispose()
    engine = create_engine(_with_query(postgres_url, options="-c application_name=gf"))
    with engine.connect() as conn:  # the user's own libpq options are kept
        assert conn.scalar(text("SHOW statement_timeout")) == "1min"
        assert conn.scalar(text("SHOW application_name")) == "gf"
    engine.dispose()
    monkeypatch.setenv("GALFRIDAY_DB_BUSY_TIMEOUT", "2.5")
    engine = create_engine(f"sqlite:///{tmp_path / 'busy.db'}")
    with engine.connect() as conn:
        assert conn.scalar(text("PRAGMA busy_timeout")) == 2500
    engine.dispose()


def _terminate(pid: int) -> None:
    with databases.admin_connection() as conn:
        conn.execute("SELECT pg_terminate_backend(%s)", (pid,))


def test_a_connection_lost_during_a_read_is_a_storage_error(postgres_url):
    engine = create_engine(postgres_url)
    with UnitOfWork(engine) as uow:
        _terminate(uow.session.scalar(text("SELECT pg_backend_pid()")))
        with pytest.raises(DatabaseUnavailableError, match="connection was lost"):
            uow.orders.get(1)
    engine.dispose()


def test_a_connection_lost_during_the_bulk_write_is_a_storage_error(postgres_url):
    engine = create_engine(postgres_url)
    order = make_order()
    order.apply_fill(make_fill("B1"))

    def write() -> None:
        with UnitOfWork(engine) as uow:
            _terminate(uow.session.scalar(text("SELECT pg_backend_pid()")))
            bulk.insert_orders(uow.connection, [order])  # psycopg, under SQLAlchemy

    with pytest.raises(DatabaseUnavailableError):
        write()
    engine.dispose()


def test_a_database_without_the_schema_says_what_to_run(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    with (
        pytest.raises(SchemaMissingError, match="gal-friday db upgrade"),
        UnitOfWork(engine) as uow,
    ):
        uow.orders.get(1)
    engine.dispose()


def test_a_value_the_database_cannot_hold_is_refused_as_bad_input(postgres_url):
    engine = create_engine(postgres_url)
    # The domain refuses a NUL byte itself; a raw statement shows how the store answers.
    with (
        pytest.raises(ConstraintViolationError, match="refused a value"),
        UnitOfWork(engine) as uow,
    ):
        uow.session.execute(text("UPDATE orders SET exchange = :e"), {"e": "kra\x00ken"})
    engine.dispose()
