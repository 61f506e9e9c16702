"""Throwaway databases for tests: a fresh, migrated PostgreSQL database or SQLite file each time.

PostgreSQL: one template database is migrated per test session and every test
gets ``CREATE DATABASE ... TEMPLATE`` of it (fast), dropped afterwards. The
admin URL is ``GALFRIDAY_TEST_DATABASE_URL`` or the local server. An
unreachable server is a test FAILURE with a clear message, never a skip.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from sqlalchemy.engine import URL, make_url

from gal_friday.persistence import schema
from gal_friday.persistence.database import create_engine, mask_url

DEFAULT_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def admin_url() -> URL:
    """The URL of a PostgreSQL database the tests may use to create and drop databases."""
    url = make_url(os.environ.get("GALFRIDAY_TEST_DATABASE_URL", DEFAULT_ADMIN_URL))
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    return url


def _libpq(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def admin_connection() -> psycopg.Connection:
    """An autocommit connection to the admin database, or a test failure saying why not."""
    url = admin_url()
    try:
        return psycopg.connect(_libpq(url), autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        pytest.fail(
            f"PostgreSQL is not reachable at {mask_url(url)}: {reason}. Start it with "
            "`pg_ctlcluster --skip-systemctl-redirect 15 main start` "
            "(or scripts/ensure-postgres.sh),"
            " or point GALFRIDAY_TEST_DATABASE_URL at a server.",
            pytrace=False,
        )


def create_postgres_database(template: str | None = None) -> URL:
    """Create an empty (or templated) database and return its URL."""
    name = f"gf_test_{uuid.uuid4().hex[:12]}"
    with admin_connection() as conn:
        statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template:
            statement = sql.SQL("{} TEMPLATE {}").format(statement, sql.Identifier(template))
        conn.execute(statement)
    return admin_url().set(database=name)


def drop_postgres_database(url: URL) -> None:
    """Drop a test database, closing whatever still connects to it."""
    with admin_connection() as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(url.database))
        )


def migrated_postgres_template() -> URL:
    """A new database migrated to head, with no connection left open (usable as a template)."""
    url = create_postgres_database()
    engine = create_engine(url)
    try:
        schema.upgrade(engine)
    finally:
        engine.dispose()
    return url


def migrated_sqlite_file(path: Path) -> URL:
    """A SQLite file migrated to head."""
    url = make_url(f"sqlite:///{path}")
    engine = create_engine(url)
    try:
        schema.upgrade(engine)
    finally:
        engine.dispose()
    return url


@contextmanager
def fresh_database(backend: str, template: URL, tmp_dir: Path) -> Iterator[URL]:
    """A fresh migrated database copied from ``template``; dropped or deleted afterwards."""
    if backend == "postgresql":
        url = create_postgres_database(template=template.database)
        try:
            yield url
        finally:
            drop_postgres_database(url)
    else:
        assert template.database is not None
        target = tmp_dir / f"gf_{uuid.uuid4().hex[:8]}.db"
        shutil.copyfile(template.database, target)
        yield make_url(f"sqlite:///{target}")
