"""Spill files without a header, as the release before headers wrote them (issue 24, item 8):
replayed only into the database their name names; naming none, kept apart and reported, never
replayed into whichever database a handler points at (docs/logging.md, "The spill file")."""

from __future__ import annotations

import json
import logging
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import URL

from gal_friday.persistence.database import create_engine
from gal_friday.persistence.logwriter.handler import DatabaseLogHandler
from gal_friday.persistence.logwriter.spill import (
    SpillFile,
    UnownedSpillFileError,
    adopt_spill_file,
    database_key,
    default_spill_path,
)
from gal_friday.persistence.tables import definitions as t
from tests.support import databases


def legacy_file(path: Path, messages: list[str]) -> Path:
    """A spill file as the previous release wrote it: one row per line, no header."""
    lines = []
    for message in messages:
        lines.append(
            json.dumps(
                {
                    "timestamp": datetime(2026, 11, 20, 9, 0, tzinfo=UTC).isoformat(),
                    "logger_name": "bot",
                    "level_name": "WARNING",
                    "level_no": 30,
                    "message": message,
                    "pathname": None,
                    "filename": None,
                    "lineno": None,
                    "func_name": None,
                    "context_json": None,
                    "exception_text": None,
                    "record_id": str(uuid.uuid4()),
                }
            )
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(line + "\n" for line in lines))
    return path


def messages(url: URL) -> list[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return sorted(conn.scalars(select(t.logs.c.message)))
    finally:
        engine.dispose()


def handler(url: URL, **options: object) -> DatabaseLogHandler:
    settings: dict = {"flush_interval": 0.02, "spill_after": 0.05, "max_backoff": 0.02}
    settings.update(options)
    return DatabaseLogHandler(url.render_as_string(hide_password=False), **settings)


def log_through(h: DatabaseLogHandler, name: str, *lines: str) -> None:
    logger = logging.getLogger(f"gf.headerless.{name}")
    logger.handlers = [h]
    logger.propagate = False
    logger.setLevel(logging.INFO)
    try:
        for line in lines:
            logger.warning(line)
    finally:
        h.close()
        logger.handlers = []


@pytest.fixture
def state_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "state"
    monkeypatch.setenv("XDG_STATE_HOME", str(home))
    return home


@pytest.fixture
def two(tmp_path: Path) -> tuple[URL, URL]:
    return (
        databases.migrated_sqlite_file(tmp_path / "a.db"),
        databases.migrated_sqlite_file(tmp_path / "b.db"),
    )


def test_a_headerless_file_at_its_databases_default_path_is_replayed_there(
    state_home, database_url
):
    a = database_url
    legacy_file(default_spill_path(a), ["old a 1", "old a 2"])
    handler(a).close()
    assert messages(a) == ["old a 1", "old a 2"]
    assert not default_spill_path(a).exists()


def test_a_headerless_file_naming_another_database_is_left_for_that_one(state_home, two, capsys):
    a, b = two
    named_a = legacy_file(default_spill_path(a), ["for a"])
    log_through(handler(b, spill_path=named_a), "b", "for b")
    assert messages(b) == ["for b"]
    assert "keeps another database's log records" in capsys.readouterr().err
    assert named_a.exists()
    handler(a, spill_path=named_a).close()
    assert messages(a) == ["for a"]


def test_a_headerless_file_naming_no_database_is_kept_and_reported(
    state_home, database_url, capsys
):
    a = database_url
    previous = legacy_file(state_home / "galfriday-logs-spill.jsonl", ["whose?"])
    handler(a, spill_path=previous).close()
    assert messages(a) == []  # never replayed into whichever database the handler points at
    err = capsys.readouterr().err
    assert "has no header naming its database" in err
    kept = previous.with_name(previous.name + ".noheader")
    assert kept.exists()
    assert "whose?" in kept.read_text()
    # Whoever knows where the records belong hands them over; that database's handler replays.
    spill = adopt_spill_file(kept, a)
    assert spill == default_spill_path(a)
    assert not kept.exists()
    assert SpillFile(spill, database_key(a)).owner() == database_key(a)
    handler(a).close()
    assert messages(a) == ["whose?"]


def test_records_spilled_meanwhile_never_join_a_file_nobody_can_place(two, tmp_path, capsys):
    a, _ = two
    previous = legacy_file(tmp_path / "spill.jsonl", ["whose?"])
    spill = SpillFile(previous, database_key(a))
    spill.append([{"record_id": uuid.uuid4(), "timestamp": datetime.now(UTC), "message": "new"}])
    assert spill.owner() == database_key(a)  # a fresh file with a header
    assert "whose?" not in previous.read_text()
    with pytest.raises(UnownedSpillFileError, match="kept as .*spill.jsonl.noheader"):
        spill.claim()  # reported once, at the next replay
    assert spill.claim() == spill.replaying  # then the new records are replayed
    assert previous.with_name("spill.jsonl.noheader").read_text().count("whose?") == 1
