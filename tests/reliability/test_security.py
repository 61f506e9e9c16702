"""Security: no SQL built from strings, passwords masked everywhere, least-privilege roles."""

from __future__ import annotations

import logging
import re
import uuid
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from sqlalchemy import func, insert, select

from gal_friday.persistence import schema
from gal_friday.persistence.database import DatabaseURLError, create_engine, mask_url, resolve_url
from gal_friday.persistence.logwriter.handler import DatabaseLogHandler
from gal_friday.persistence.tables import definitions as t
from tests.factories import T0
from tests.support import databases

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ["domain", "persistence", "services", "cli", "importers", "migrations"]
SQL_WORDS = r"\b(SELECT|INSERT|UPDATE|DELETE|DROP|CREATE|ALTER|COPY|TRUNCATE|PRAGMA|GRANT)\b"
BUILT_SQL = [
    re.compile(r"\bf[\"'][^\"']*" + SQL_WORDS, re.IGNORECASE),  # f-strings
    re.compile(r"[\"'][^\"']*" + SQL_WORDS + r"[^\"']*[\"']\s*(%|\.format\()", re.IGNORECASE),
    re.compile(r"\b(text|exec_driver_sql|execute)\(\s*f[\"']"),
]


def test_no_sql_is_built_from_strings():
    offenders = []
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if "sql.SQL(" in line:  # psycopg's composition with Identifier: safe by design
                    continue
                if line.rstrip().endswith("# SQL from an int"):  # a PRAGMA takes no parameter;
                    continue  # the line formats an int() it computed, nothing else
                if any(pattern.search(line) for pattern in BUILT_SQL):
                    offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []


SECRET = "pa55-w0rd!"
URL = f"postgresql://trader:{SECRET}@127.0.0.1:1/gal"


def test_passwords_are_masked_in_reprs_errors_and_logs(tmp_path, capsys):
    assert SECRET not in mask_url(URL)
    assert SECRET not in repr(resolve_url(URL))
    engine = create_engine(URL)
    assert SECRET not in repr(engine)
    with pytest.raises(DatabaseURLError) as info:
        resolve_url(f"mysql://trader:{SECRET}@host/db")
    assert SECRET not in str(info.value)
    handler = DatabaseLogHandler(
        URL,
        spill_path=tmp_path / "s.jsonl",
        flush_interval=0.01,
        spill_after=0.05,
        max_backoff=0.01,
    )
    logger = logging.getLogger("gf.security")
    logger.handlers = [handler]
    logger.propagate = False
    logger.warning("hello", extra={"password": SECRET})
    handler.close()
    logger.handlers = []
    assert SECRET not in capsys.readouterr().err
    assert SECRET not in (tmp_path / "s.jsonl").read_text()
    engine.dispose()


def test_the_application_role_can_only_read_and_write_rows(postgres_url):
    suffix = uuid.uuid4().hex[:8]
    owner, app = f"gf_owner_{suffix}", f"gf_app_{suffix}"
    database = postgres_url.database
    with databases.admin_connection() as admin:
        admin.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(owner)))
        admin.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(app)))
    try:
        # A fresh schema owned by the owner role, migrated by it.
        with psycopg.connect(databases._libpq(postgres_url), autocommit=True) as conn:
            conn.execute("DROP SCHEMA public CASCADE")
            conn.execute(
                sql.SQL("CREATE SCHEMA public AUTHORIZATION {}").format(sql.Identifier(owner))
            )
        owner_engine = create_engine(postgres_url.set(username=owner))
        schema.upgrade(owner_engine)
        with owner_engine.begin() as conn:
            conn.exec_driver_sql("SELECT 1")  # connectivity as the owner
        with psycopg.connect(
            databases._libpq(postgres_url.set(username=owner)), autocommit=True
        ) as conn:
            conn.execute(sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(sql.Identifier(app)))
            conn.execute(
                sql.SQL(
                    "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {}"
                ).format(sql.Identifier(app))
            )
            conn.execute(
                sql.SQL("GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {}").format(
                    sql.Identifier(app)
                )
            )
        owner_engine.dispose()
        app_engine = create_engine(postgres_url.set(username=app))
        with app_engine.begin() as conn:
            conn.execute(
                insert(t.event_logs),
                {
                    "event_id": uuid.uuid4(),
                    "event_type": "E",
                    "payload": {},
                    "occurred_at": T0,
                    "source": "app",
                },
            )
            assert conn.scalar(select(func.count()).select_from(t.event_logs)) == 1
        for statement in (
            "CREATE TABLE intruder (x int)",
            "DROP TABLE fills",
            "ALTER TABLE orders ADD COLUMN x int",
            "TRUNCATE logs",
        ):
            with (
                app_engine.connect() as conn,
                pytest.raises(Exception, match="permission denied|must be owner"),
            ):
                conn.exec_driver_sql(statement)
        with pytest.raises(Exception, match="permission denied|must be owner"):
            schema.downgrade(app_engine, "base")
        app_engine.dispose()
    finally:
        with databases.admin_connection() as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database))
            )
            for role in (app, owner):
                admin.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))


def test_a_role_without_insert_gets_one_line_from_every_import(postgres_url):
    """psycopg's own "error ignored terminating <Pipeline>" line never joins the error."""
    from tests.e2e.test_cli import FIXTURES, run

    reader = f"gf_reader_{uuid.uuid4().hex[:8]}"
    database = postgres_url.database
    schema.upgrade(postgres_url)
    with databases.admin_connection() as admin:
        admin.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(reader)))
    try:
        with psycopg.connect(databases._libpq(postgres_url), autocommit=True) as conn:
            conn.execute(
                sql.SQL("GRANT SELECT ON ALL TABLES IN SCHEMA public TO {}").format(
                    sql.Identifier(reader)
                )
            )
        url = postgres_url.set(username=reader)
        samples = ROOT / "importers" / "samples"
        for args in (
            ("prices", "import", str(samples / "XBTUSD_1440.csv"), "--format", "kraken-ohlcvt"),
            ("import", str(FIXTURES / "kraken-ledgers-2024.csv"), "--format", "kraken-ledgers"),
            ("import", str(FIXTURES / "e2e-history.csv"), "--format", "kraken-trades"),
        ):
            result = run(url, *args)
            assert result.returncode == 1, (args, result.stderr)
            assert result.stderr.splitlines() == [result.stderr.strip()], (
                f"{args}: more than one line: {result.stderr!r}"
            )
            assert "permission denied" in result.stderr
    finally:
        with databases.admin_connection() as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database))
            )
            admin.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(reader)))
