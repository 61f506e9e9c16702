"""``gal-friday db`` in a database shared with the bot: conflicts exit 4 naming what clashes,
``--version-table`` and ``--schema``, the note after an upgrade, ``db prune`` and its refusals,
and ``python -m gal_friday.cli`` (docs/database.md)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import URL

from gal_friday.persistence import schema
from gal_friday.persistence.database import create_engine
from tests.e2e.test_cli import run
from tests.support import databases
from tests.support import retention_rows as rows

BOT_REVISION = "9f2c1d7a0b3e"


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[URL]:
    if request.param == "postgresql":
        url = databases.create_postgres_database()
        yield url
        databases.drop_postgres_database(url)
    else:
        yield sa.make_url(f"sqlite:///{tmp_path / 'shared.db'}")


def _execute(url: URL, *statements: str) -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            for statement in statements:
                connection.exec_driver_sql(statement)
    finally:
        engine.dispose()


def _error(result: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert "more characters cut" not in line
    return line


def test_the_bots_logs_table_exits_4_naming_it(empty_url):
    _execute(empty_url, "CREATE TABLE logs (id INTEGER PRIMARY KEY, line TEXT)")
    result = run(empty_url, "db", "upgrade")
    assert result.returncode == 4, result.stderr
    line = _error(result)
    assert "table logs" in line
    assert "--schema" in line
    assert "cannot use the database" not in line


def test_the_bots_alembic_revision_exits_4_and_its_own_version_table_works(empty_url):
    _execute(
        empty_url,
        "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)",
        f"INSERT INTO alembic_version VALUES ('{BOT_REVISION}')",
    )
    refused = run(empty_url, "db", "upgrade")
    assert refused.returncode == 4, refused.stderr
    line = _error(refused)
    assert BOT_REVISION in line
    assert "--version-table gal_friday_version" in line
    own = ("db", "--version-table", "gal_friday_version")
    upgraded = run(empty_url, *own, "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    assert upgraded.stdout.strip().endswith("(the newest)")  # a new schema: nothing to redo
    current = run(empty_url, *own, "current")
    assert current.stdout.strip() == f"{schema.head()} (up to date)"
    checked = run(empty_url, *own, "check")
    assert checked.returncode == 0, checked.stderr
    assert run(empty_url, "db", "current").stdout.startswith(BOT_REVISION)


def test_upgrading_from_the_previous_release_says_to_rebuild_the_trades(tmp_path):
    url = sa.make_url(f"sqlite:///{tmp_path / 'previous.db'}")
    engine = create_engine(url)
    try:
        schema.upgrade(engine, "0005_candles")
    finally:
        engine.dispose()
    result = run(url, "db", "upgrade")
    assert result.returncode == 0, result.stderr
    notes = [line for line in result.stdout.splitlines() if line.startswith("next: ")]
    assert len(notes) == 1
    assert "0006_order_aggregates_repair" in notes[0]
    assert "run `gal-friday trades rebuild`" in notes[0]
    again = run(url, "db", "upgrade")
    assert "next:" not in again.stdout  # nothing applied, nothing to do


@pytest.mark.postgres
def test_a_schema_of_its_own_from_the_command_line():
    url = databases.create_postgres_database()
    try:
        _execute(url, "CREATE TABLE logs (id INTEGER PRIMARY KEY, line TEXT)")
        result = run(url, "db", "--schema", "gal_friday", "upgrade")
        assert result.returncode == 0, result.stderr
        in_schema = url.update_query_dict({"options": "-c search_path=gal_friday"})
        assert run(in_schema, "db", "check").returncode == 0
        report = run(in_schema, "report", "--format", "json")
        assert report.returncode == 0, report.stderr
    finally:
        databases.drop_postgres_database(url)


def test_sqlite_refuses_a_schema_with_exit_2(tmp_path):
    result = run(sa.make_url(f"sqlite:///{tmp_path / 'x.db'}"), "db", "--schema", "gal", "upgrade")
    assert result.returncode == 2
    assert "only PostgreSQL" in _error(result)


# -- prune -----------------------------------------------------------------------------------


def test_prune_without_an_age_is_refused_and_deletes_nothing(database_url):
    engine = create_engine(database_url)
    try:
        rows.write(engine, "logs", 5, timedelta(days=400), "old")
        result = run(database_url, "db", "prune")
        assert result.returncode == 2
        assert "give at least one age" in _error(result)
        bad = run(database_url, "db", "prune", "--logs", "ninety days")
        assert bad.returncode == 2
        assert "--logs: 'ninety days' is not an age" in _error(bad)
        assert rows.count(engine, "logs") == 5
    finally:
        engine.dispose()


def test_prune_says_how_many_rows_it_deleted_per_table(database_url):
    engine = create_engine(database_url)
    try:
        rows.write(engine, "logs", 1_200, timedelta(days=400), "old")  # before now - 90d
        rows.write(engine, "system_logs", 30, timedelta(days=400), "old")
        rows.write(engine, "event_logs", 20, timedelta(days=10), "recent")
        result = run(
            database_url,
            "db",
            "prune",
            "--logs",
            "90d",
            "--system-logs",
            "90d",
            "--events",
            "365d",
            "--batch-size",
            "500",
        )
        assert result.returncode == 0, result.stderr
        lines = result.stdout.splitlines()
        assert lines[0].startswith("logs: deleted 1,200 rows older than ")
        assert lines[0].endswith("(3 batches)")
        assert lines[1].startswith("system_logs: deleted 30 rows")
        assert lines[2].startswith("event_logs: deleted 0 rows")
        counts = {table: rows.count(engine, table) for table in rows.TABLES}
        assert counts == {"logs": 0, "system_logs": 0, "event_logs": 20}
    finally:
        engine.dispose()


# -- another name for the command ------------------------------------------------------------


def test_the_command_runs_as_python_m_gal_friday_cli(tmp_path):
    url = f"sqlite:///{tmp_path / 'm.db'}"
    env = {**os.environ, "GALFRIDAY_DATABASE_URL": url}
    result = subprocess.run(
        [sys.executable, "-m", "gal_friday.cli", "db", "upgrade"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "(the newest)" in result.stdout
