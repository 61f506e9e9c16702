"""Spill files: one per database, private, and never replayed into another database."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import URL, make_url

from gal_friday.domain import Log
from gal_friday.persistence.database import create_engine
from gal_friday.persistence.logwriter.handler import DatabaseLogHandler
from gal_friday.persistence.logwriter.spill import (
    SpillFile,
    database_identity,
    database_key,
    default_spill_path,
    state_directory,
)
from gal_friday.persistence.tables import definitions as t
from tests.support import databases


def make_logger(name: str, handler: logging.Handler) -> logging.Logger:
    logger = logging.getLogger(name)
    logger.handlers = [handler]
    logger.propagate = False
    logger.setLevel(logging.INFO)
    return logger


def messages(url: URL) -> list[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return sorted(row.message for row in conn.execute(select(t.logs)))
    finally:
        engine.dispose()


def drop_logs_table(url: URL) -> None:
    engine = create_engine(url)
    try:
        t.logs.drop(engine)
    finally:
        engine.dispose()


def create_logs_table(url: URL) -> None:
    engine = create_engine(url)
    try:
        t.logs.create(engine)
    finally:
        engine.dispose()


def quick_handler(url: URL, **options: object) -> DatabaseLogHandler:
    settings: dict = {"flush_interval": 0.02, "spill_after": 0.05, "max_backoff": 0.02}
    settings.update(options)
    return DatabaseLogHandler(url.render_as_string(hide_password=False), **settings)


@pytest.fixture
def state_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "state"
    monkeypatch.setenv("XDG_STATE_HOME", str(home))
    return home


@pytest.fixture
def permissive_umask() -> Iterator[None]:
    old = os.umask(0)
    yield
    os.umask(old)


@pytest.fixture(autouse=True)
def _no_leftover_handlers() -> Iterator[None]:
    yield
    for name in list(logging.root.manager.loggerDict):
        if name.startswith("gf."):
            logging.getLogger(name).handlers = []


# -- where the file lives --------------------------------------------------------------------


def test_the_default_spill_file_is_per_database_in_the_users_state_directory(
    state_home, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    a = make_url("postgresql+psycopg://ann:secret1@db.example:5432/trading")
    same_db_other_login = make_url("postgresql+psycopg://bob:other@db.example/trading")
    other_db = make_url("postgresql+psycopg://ann:secret1@db.example:5432/research")
    other_port = make_url("postgresql+psycopg://ann:secret1@db.example:5433/trading")
    path = default_spill_path(a)
    assert path.parent == state_home / "gal-friday" == state_directory()
    assert path.name.startswith("logs-postgresql-trading-") and path.suffix == ".jsonl"
    assert default_spill_path(same_db_other_login) == path
    assert default_spill_path(other_db) != path
    assert default_spill_path(other_port) != path
    assert "secret1" not in database_identity(a) and "ann" not in database_identity(a)
    relative = default_spill_path(make_url("sqlite:///gf.db"))
    absolute = default_spill_path(make_url(f"sqlite:///{tmp_path / 'gf.db'}"))
    assert relative == absolute
    assert default_spill_path(make_url(f"sqlite:///{tmp_path / 'other.db'}")) != absolute


def test_without_xdg_state_home_the_state_directory_is_under_home(monkeypatch, tmp_path):
    monkeypatch.delenv("XDG_STATE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert state_directory() == tmp_path / ".local" / "state" / "gal-friday"


def test_the_spill_file_is_private_even_under_a_permissive_umask(
    state_home, tmp_path, permissive_umask
):
    url = databases.migrated_sqlite_file(tmp_path / "a.db")
    drop_logs_table(url)
    handler = quick_handler(url)
    make_logger("gf.private", handler).warning("kept")
    handler.close()
    assert handler.spilled == 1
    path = handler.spill.path
    assert path.parent == state_home / "gal-friday"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_a_spill_file_left_world_readable_is_made_private(tmp_path):
    path = tmp_path / "old.jsonl"
    path.write_text("")
    path.chmod(0o644)
    spill = SpillFile(path, "key")
    spill.append([_row()])
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def _row() -> dict:
    log = Log.from_record(logging.LogRecord("gf", logging.INFO, __file__, 1, "m", None, None))
    return {name: getattr(log, name) for name in ("record_id", "timestamp", "message")}


# -- never into another database -------------------------------------------------------------


def test_records_spilled_for_one_database_are_never_replayed_into_another(state_home, tmp_path):
    a = databases.migrated_sqlite_file(tmp_path / "a.db")
    b = databases.migrated_sqlite_file(tmp_path / "b.db")
    drop_logs_table(a)  # a cannot take records: they are spilled
    handler_a = quick_handler(a)
    logger = make_logger("gf.a", handler_a)
    for n in range(20):
        logger.warning("for a %d", n)
    handler_a.close()
    assert handler_a.spilled == 20
    handler_b = quick_handler(b)  # b starts and replays its own spill file, not a's
    make_logger("gf.b", handler_b).warning("for b")
    handler_b.close()
    assert messages(b) == ["for b"]
    assert handler_b.spill.path != handler_a.spill.path
    create_logs_table(a)
    quick_handler(a).close()  # a's next handler replays a's records into a
    assert messages(a) == sorted(f"for a {n}" for n in range(20))
    assert not handler_a.spill.path.exists()


def test_a_shared_explicit_spill_path_keeps_databases_apart(tmp_path, capsys):
    shared = tmp_path / "shared.jsonl"
    a = databases.migrated_sqlite_file(tmp_path / "a.db")
    b = databases.migrated_sqlite_file(tmp_path / "b.db")
    drop_logs_table(a)
    handler_a = quick_handler(a, spill_path=shared)
    make_logger("gf.shared-a", handler_a).warning("for a")
    handler_a.close()
    assert shared.exists()
    handler_b = quick_handler(b, spill_path=shared)
    make_logger("gf.shared-b", handler_b).warning("for b")
    handler_b.close()
    assert messages(b) == ["for b"]
    assert handler_b.spill.path != shared
    assert "keeps another database's log records" in capsys.readouterr().err
    assert shared.exists()  # a's records wait for a


# -- a missing table -------------------------------------------------------------------------


def test_a_missing_logs_table_says_run_db_upgrade_and_keeps_the_records(
    database_url, tmp_path, capsys
):
    drop_logs_table(database_url)
    spill = tmp_path / "spill.jsonl"
    handler = quick_handler(database_url, spill_path=spill)
    logger = make_logger("gf.no-table", handler)
    for n in range(30):
        logger.warning("before upgrade %d", n)
    handler.close()
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if "log_handler" in line]
    assert len(lines) == 1, err
    assert "the logs table does not exist: run `gal-friday db upgrade`" in lines[0]
    assert database_url.database in lines[0]  # names the (masked) database
    assert "unavailable" not in err
    assert (handler.spilled, handler.dropped) == (30, 0)
    create_logs_table(database_url)
    quick_handler(database_url, spill_path=spill).close()
    assert messages(database_url) == sorted(f"before upgrade {n}" for n in range(30))


def test_a_line_that_is_not_a_row_is_kept_apart_and_reported_never_blocking(tmp_path, capsys):
    url = databases.migrated_sqlite_file(tmp_path / "a.db")
    spill = tmp_path / "spill.jsonl"
    header = f'{{"gal_friday_spill": 1, "database": "{database_key(url)}"}}'
    spill.write_text(header + '\n{"record_id": "not a uuid"}\n')
    handler = quick_handler(url, spill_path=spill)
    handler.close()
    assert "spill.jsonl.replaying line 2: cut or corrupt, skipped" in capsys.readouterr().err
    assert handler.unreadable == 1
    assert not spill.with_name("spill.jsonl.replaying").exists()  # later files never wait
    rejected = spill.with_name("spill.jsonl.rejected")  # kept for a person to look at
    assert rejected.read_text() == '{"record_id": "not a uuid"}\n'
    assert messages(url) == []
