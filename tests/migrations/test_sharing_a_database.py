"""One database with the bot's own tables (issue 24, item 5; docs/database.md, "Sharing a database").

The bot's tables are not differences for ``check``; the bot's Alembic revision and a table of
the bot named like ours are schema conflicts naming what clashes, before anything changes;
the version table and (PostgreSQL) the schema of the library's tables are settings.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine
from sqlalchemy.engine import URL

from gal_friday.persistence import schema
from gal_friday.persistence.database import create_engine
from gal_friday.persistence.errors import SchemaConflictError
from gal_friday.persistence.migrating import schema_version
from gal_friday.persistence.migrating.settings import SchemaSettingError
from gal_friday.persistence.tables.definitions import metadata
from gal_friday.persistence.unit_of_work import UnitOfWork
from tests.factories import make_fill, make_order
from tests.support import databases

BOT_REVISION = "9f2c1d7a0b3e"  # what the bot's own Alembic wrote into alembic_version


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[URL]:
    """A database with no schema at all."""
    if request.param == "postgresql":
        url = databases.create_postgres_database()
        yield url
        databases.drop_postgres_database(url)
    else:
        yield sa.make_url(f"sqlite:///{tmp_path / 'shared.db'}")


@pytest.fixture
def empty_engine(empty_url: URL) -> Iterator[Engine]:
    engine = create_engine(empty_url)
    yield engine
    engine.dispose()


@pytest.fixture
def migrated_engine(database_url: URL) -> Iterator[Engine]:
    engine = create_engine(database_url)
    yield engine
    engine.dispose()


def _bots_tables(engine: Engine, *, with_its_alembic: bool) -> None:
    """What the bot's own migrations leave: its ``positions``, its ``logs``, its revision."""
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE positions (id INTEGER PRIMARY KEY, pair TEXT)")
        connection.exec_driver_sql("CREATE TABLE logs (id INTEGER PRIMARY KEY, line TEXT)")
        connection.exec_driver_sql("INSERT INTO logs (id, line) VALUES (1, 'the bot''s own')")
        if with_its_alembic:
            connection.exec_driver_sql(
                "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)"
            )
            connection.exec_driver_sql(f"INSERT INTO alembic_version VALUES ('{BOT_REVISION}')")


def _store_something(engine: Engine) -> None:
    order = make_order(quantity_ordered=Decimal("2"))
    order.apply_fill(make_fill("SHARED-1"))
    with UnitOfWork(engine) as uow:
        uow.orders.add(order)
        uow.commit()
    with UnitOfWork(engine) as uow:
        assert uow.fills.existing_ids("kraken", ["SHARED-1"]) == {"SHARED-1"}


# -- check sees only the library's tables ---------------------------------------------------


def test_check_does_not_report_the_bots_tables_as_tables_to_drop(migrated_engine):
    with migrated_engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE positions (id INTEGER PRIMARY KEY, pair TEXT)")
        connection.exec_driver_sql("CREATE INDEX ix_positions_pair ON positions (pair)")
    assert schema.check(migrated_engine) == []


def test_include_tables_lists_more_tables_for_check_to_compare(migrated_engine, monkeypatch):
    with migrated_engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE retired (id INTEGER PRIMARY KEY)")
    differences = schema.check(migrated_engine, include_tables=["retired"])
    assert [(d[0], d[1].name) for d in differences] == [("remove_table", "retired")]
    monkeypatch.setenv("GALFRIDAY_DB_INCLUDE_TABLES", "retired, other")
    assert len(schema.check(migrated_engine)) == 1


# -- the bot's Alembic and its tables --------------------------------------------------------


def test_the_bots_alembic_revision_is_a_conflict_pointing_at_the_version_table(empty_engine):
    _bots_tables(empty_engine, with_its_alembic=True)
    with pytest.raises(SchemaConflictError) as raised:
        schema.upgrade(empty_engine)
    message = str(raised.value)
    assert BOT_REVISION in message
    assert "alembic_version" in message
    assert "--version-table" in message
    assert "Can't locate revision" not in message
    assert "orders" not in sa.inspect(empty_engine).get_table_names()  # nothing changed


def test_a_version_table_of_its_own_lives_beside_the_bots(empty_engine):
    _bots_tables(empty_engine, with_its_alembic=True)
    with empty_engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE logs")  # no name clash in this test
    notes = schema.upgrade(empty_engine, version_table="gal_friday_version")
    assert notes == []  # a new schema: nothing of an earlier release to redo
    assert schema.current(empty_engine, version_table="gal_friday_version") == schema.head()
    with empty_engine.connect() as connection:
        bots = connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar_one()
    assert bots == BOT_REVISION  # the bot's Alembic still finds its own revision
    assert schema.check(empty_engine, version_table="gal_friday_version") == []
    schema.downgrade(empty_engine, "base", version_table="gal_friday_version")
    left = set(sa.inspect(empty_engine).get_table_names())
    assert left == {"alembic_version", "gal_friday_version", "positions"}
    schema.upgrade(empty_engine, version_table="gal_friday_version")
    _store_something(empty_engine)


def test_the_version_table_comes_from_the_environment_too(empty_engine, monkeypatch):
    monkeypatch.setenv("GALFRIDAY_DB_VERSION_TABLE", "gal_friday_version")
    schema.upgrade(empty_engine)
    tables = set(sa.inspect(empty_engine).get_table_names())
    assert "gal_friday_version" in tables
    assert "alembic_version" not in tables
    assert schema_version.stored_revision(empty_engine) == schema.current(empty_engine)
    assert schema.current(empty_engine) == schema.head()


def test_a_version_table_name_that_is_not_an_identifier_is_refused(empty_engine, monkeypatch):
    monkeypatch.setenv("GALFRIDAY_DB_VERSION_TABLE", "gal version; drop")
    with pytest.raises(SchemaSettingError, match=r"\$GALFRIDAY_DB_VERSION_TABLE"):
        schema.upgrade(empty_engine)


def test_the_bots_logs_table_is_a_conflict_naming_it_not_an_unavailable_database(empty_engine):
    _bots_tables(empty_engine, with_its_alembic=False)
    with pytest.raises(SchemaConflictError) as raised:
        schema.upgrade(empty_engine)
    assert raised.value.tables == ("logs",)
    assert "table logs" in str(raised.value)
    assert "--schema" in str(raised.value)
    assert "alembic_version" not in sa.inspect(empty_engine).get_table_names()


def test_a_later_revision_meeting_a_table_of_that_name_is_a_conflict(empty_engine):
    schema.upgrade(empty_engine, "0004_ledger_entries")
    with empty_engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE candles (id INTEGER PRIMARY KEY)")
    with pytest.raises(SchemaConflictError) as raised:
        schema.upgrade(empty_engine)
    assert raised.value.tables == ("candles",)
    assert schema.current(empty_engine) == "0004_ledger_entries"  # rolled back, not half-done


def test_sqlite_has_no_schemas(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        with pytest.raises(SchemaSettingError, match="only PostgreSQL"):
            schema.upgrade(engine, schema_name="gal_friday")
    finally:
        engine.dispose()


# -- a PostgreSQL schema of its own ----------------------------------------------------------


@pytest.fixture
def postgres_empty() -> Iterator[URL]:
    url = databases.create_postgres_database()
    yield url
    databases.drop_postgres_database(url)


def _tables_in(engine: Engine, schema_name: str) -> set[str]:
    return set(sa.inspect(engine).get_table_names(schema=schema_name))


@pytest.mark.postgres
def test_the_librarys_tables_and_version_table_live_in_their_own_schema(postgres_empty):
    engine = create_engine(postgres_empty)
    try:
        _bots_tables(engine, with_its_alembic=True)
        schema.upgrade(engine, schema_name="gal_friday", revision="0005_candles")
        notes = schema.upgrade(engine, schema_name="gal_friday")
        assert [note.revision for note in notes] == ["0006_order_aggregates_repair"]
        assert set(metadata.tables) | {"alembic_version"} == _tables_in(engine, "gal_friday")
        assert _tables_in(engine, "public") == {"alembic_version", "logs", "positions"}
        assert schema.current(engine, schema_name="gal_friday") == schema.head()
        assert schema.current(engine) == BOT_REVISION  # the bot's, in public
        assert schema.check(engine, schema_name="gal_friday") == []
    finally:
        engine.dispose()
    # The application reaches the schema through PostgreSQL's search_path in the URL.
    in_schema = postgres_empty.update_query_dict({"options": "-c search_path=gal_friday"})
    app = create_engine(in_schema)
    try:
        _store_something(app)
        assert schema_version.stored_revision(app) == schema.head()
        with app.connect() as connection:
            bots = connection.exec_driver_sql("SELECT line FROM public.logs").scalars().all()
            ours = connection.exec_driver_sql("SELECT count(*) FROM gal_friday.fills").scalar()
        assert (bots, ours) == (["the bot's own"], 1)
    finally:
        app.dispose()
    engine = create_engine(postgres_empty)
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql("TRUNCATE gal_friday.orders CASCADE")
        schema.downgrade(engine, "base", schema_name="gal_friday")
        assert _tables_in(engine, "gal_friday") == {"alembic_version"}
        assert _tables_in(engine, "public") == {"alembic_version", "logs", "positions"}
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_the_schema_comes_from_the_environment(postgres_empty, monkeypatch):
    monkeypatch.setenv("GALFRIDAY_DB_SCHEMA", "gal_friday")
    engine = create_engine(postgres_empty)
    try:
        schema.upgrade(engine)
        assert "orders" in _tables_in(engine, "gal_friday")
        assert "orders" not in _tables_in(engine, "public")
        assert schema.current(engine) == schema.head()
    finally:
        engine.dispose()


# -- the alembic command line (migrations/env.py) --------------------------------------------

ROOT = Path(__file__).resolve().parents[2]
ALEMBIC = str(Path(sys.executable).parent / "alembic")


def _alembic(url: URL, *args: str) -> subprocess.CompletedProcess[str]:
    rendered = url.render_as_string(hide_password=False)
    return subprocess.run(
        [ALEMBIC, "-x", f"url={rendered}", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_alembic_takes_the_version_table_and_checks_only_the_librarys_tables(
    empty_url, empty_engine
):
    _bots_tables(empty_engine, with_its_alembic=True)
    with empty_engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE logs")
    own = ("-x", "version_table=gal_friday_version")
    upgraded = _alembic(empty_url, *own, "upgrade", "head")
    assert upgraded.returncode == 0, upgraded.stderr[-1500:]
    assert schema.current(empty_engine, version_table="gal_friday_version") == schema.head()
    checked = _alembic(empty_url, *own, "check")  # positions and alembic_version are the bot's
    assert checked.returncode == 0, checked.stderr[-1500:]
    listed = _alembic(empty_url, *own, "-x", "include_tables=positions", "check")
    assert listed.returncode != 0
    assert "positions" in listed.stderr + listed.stdout


def test_a_version_table_setting_added_later_points_at_the_default_one(migrated_engine):
    with pytest.raises(SchemaConflictError) as raised:
        schema.upgrade(migrated_engine, version_table="gal_friday_version")
    message = str(raised.value)
    assert f"alembic_version records the library's revision {schema.head()}" in message
    assert "drop the version-table setting" in message
    assert len(message) < 300  # one line the command line prints whole
    assert schema.current(migrated_engine) == schema.head()
