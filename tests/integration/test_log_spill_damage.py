"""A damaged spill file never blocks the replay (issue 26, item 4), and close() during a long
replay says so (the replay close message).

A full disk is simulated by the spill file's one write seam (``spill._write_all``): it writes
part of its data, then raises ``OSError(ENOSPC)``, as a write cut by a full disk does.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import URL

from gal_friday.persistence.database import create_engine
from gal_friday.persistence.logwriter import spill as spill_module
from gal_friday.persistence.logwriter.handler import DatabaseLogHandler
from gal_friday.persistence.logwriter.spill import SpillFile, database_key
from gal_friday.persistence.tables import definitions as t
from tests.support import databases


def make_logger(name: str, handler: logging.Handler) -> logging.Logger:
    logger = logging.getLogger(name)
    logger.handlers = [handler]
    logger.propagate = False
    logger.setLevel(logging.INFO)
    return logger


def stored_numbers(url: URL) -> list[int]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return sorted(row.context_json["n"] for row in conn.execute(select(t.logs)))
    finally:
        engine.dispose()


def quick_handler(url: URL, spill: Path, **options: object) -> DatabaseLogHandler:
    settings: dict = {"flush_interval": 0.02, "spill_after": 0.05, "max_backoff": 0.02}
    settings.update(options)
    return DatabaseLogHandler(
        url.render_as_string(hide_password=False), spill_path=spill, **settings
    )


def log_numbers(handler: DatabaseLogHandler, numbers: range) -> None:
    logger = make_logger("gf.damage", handler)
    for n in numbers:
        logger.warning("record %d", n, extra={"n": n})


def record_lines(path: Path) -> list[str]:
    """The record lines of a spill file and of its claimed copy (a failed replay leaves one)."""
    lines = []
    for candidate in (path.with_name(path.name + ".replaying"), path):
        if candidate.exists():
            lines += [line for line in candidate.read_text().splitlines() if '"record_id"' in line]
    return lines


def full_disk_after(room: int) -> Callable[[int, bytes], None]:
    """A write seam for a disk with ``room`` bytes left: the write that does not fit is cut."""

    def write_all(fd: int, data: bytes) -> None:
        nonlocal room
        if len(data) > room:
            os.write(fd, data[: max(room, 1)])  # part of a line reaches the disk
            room = 0
            raise OSError(errno.ENOSPC, "No space left on device")
        room -= len(data)
        os.write(fd, data)

    return write_all


@pytest.fixture(autouse=True)
def _no_leftover_handlers() -> Iterator[None]:
    yield
    for name in list(logging.root.manager.loggerDict):
        if name.startswith("gf."):
            logging.getLogger(name).handlers = []


def test_a_full_disk_never_breaks_the_spill_file(tmp_path, monkeypatch, capsys):
    url = databases.migrated_sqlite_file(tmp_path / "a.db")
    engine = create_engine(url)
    t.logs.drop(engine)  # the database cannot take records: they are spilled
    spill = tmp_path / "spill.jsonl"

    first = quick_handler(url, spill)
    log_numbers(first, range(300))
    first.close()
    assert (first.spilled, first.dropped) == (300, 0)

    # The disk fills up in the middle of the next spill write.
    monkeypatch.setattr(spill_module, "_write_all", full_disk_after(room=1_000))
    full = quick_handler(url, spill)
    log_numbers(full, range(300, 400))
    full.close()
    monkeypatch.undo()
    kept = record_lines(spill)
    assert len(kept) == 300 + full.spilled  # the cut write was taken back: no broken line
    assert all(line.endswith("}") for line in spill.read_text().splitlines())
    assert spill.with_name("spill.jsonl.replaying").exists()  # the first 300, claimed
    assert full.dropped == 100 - full.spilled  # counted: exactly what is not in the file

    # An ordinary outage later on, a line cut by a crash (no chance to take it back), more.
    later = quick_handler(url, spill)
    log_numbers(later, range(400, 425))
    later.close()
    with spill.open("a") as handle:
        handle.write('{"record_id": "' + str(uuid.uuid4()) + '", "mess')
    after_crash = quick_handler(url, spill)
    log_numbers(after_crash, range(425, 450))
    after_crash.close()
    assert (later.spilled, after_crash.spilled) == (25, 25)
    cut_line = 1 + full.spilled + 25 + 1  # the header, the records, then the cut one

    t.logs.create(engine)
    engine.dispose()
    capsys.readouterr()
    replay = quick_handler(url, spill)
    replay.close()
    expected = [*range(300), *range(300, 300 + full.spilled), *range(400, 450)]
    assert stored_numbers(url) == expected  # lost: only what was counted as dropped
    assert (replay.replayed, replay.unreadable) == (len(expected), 1)
    err = capsys.readouterr().err
    assert f"spill.jsonl.replaying line {cut_line}: cut or corrupt, skipped" in err, err
    assert not spill.exists() and not spill.with_name("spill.jsonl.replaying").exists()
    rejected = spill.with_name("spill.jsonl.rejected").read_text()
    assert rejected.startswith('{"record_id": "') and rejected.endswith('"mess\n')


def test_a_corrupt_line_in_the_middle_is_skipped_and_reported_and_the_rest_replayed(
    tmp_path, capsys
):
    url = databases.migrated_sqlite_file(tmp_path / "a.db")
    spill = tmp_path / "spill.jsonl"
    header = json.dumps({"gal_friday_spill": 1, "database": database_key(url)})
    good = [_line(n) for n in range(10)]
    spill.write_text("\n".join([header, *good[:4], "{not json", '{"record_id": 1}', *good[4:]]))
    spill.write_text(spill.read_text() + "\n")
    handler = quick_handler(url, spill)
    handler.close()
    assert stored_numbers(url) == list(range(10))
    assert (handler.replayed, handler.unreadable, handler.dropped) == (10, 2, 0)
    assert "spill.jsonl.replaying line 6, 7: cut or corrupt, skipped" in capsys.readouterr().err
    assert not spill.with_name("spill.jsonl.replaying").exists()  # later files never wait


def test_without_a_callback_reading_a_corrupt_line_raises(tmp_path):
    path = tmp_path / "s.jsonl"
    path.write_text(_line(1) + "\n{broken\n")
    with pytest.raises(ValueError, match="Expecting property name"):
        list(SpillFile.read(path, 10))


def _line(n: int) -> str:
    return json.dumps(
        {
            "record_id": str(uuid.uuid4()),
            "timestamp": datetime(2026, 12, 1, tzinfo=UTC).isoformat(),
            "logger_name": "bot",
            "level_name": "WARNING",
            "level_no": 30,
            "message": f"record {n}",
            "pathname": None,
            "filename": None,
            "lineno": None,
            "func_name": None,
            "context_json": {"n": n},
            "exception_text": None,
        }
    )


def test_close_during_a_long_replay_says_it_is_still_replaying(tmp_path, capsys, monkeypatch):
    url = databases.migrated_sqlite_file(tmp_path / "a.db")
    spill = tmp_path / "spill.jsonl"
    header = json.dumps({"gal_friday_spill": 1, "database": database_key(url)})
    spill.write_text("\n".join([header, *(_line(n) for n in range(20_000))]) + "\n")
    real_store = DatabaseLogHandler._store

    def slow_store(self: DatabaseLogHandler, rows: list) -> None:
        real_store(self, rows)
        self._wake.wait(0.05)  # a slow database: each replayed batch takes a while

    monkeypatch.setattr(DatabaseLogHandler, "_store", slow_store)
    handler = quick_handler(url, spill, batch_size=200, close_timeout=0.3)
    log_numbers(handler, range(100_000, 100_010))
    handler.close()
    monkeypatch.undo()
    err = capsys.readouterr().err
    assert "did not answer" not in err
    assert "still replaying" in err
    left = 20_000 - handler.replayed
    assert left > 0
    assert f"{left} log records remain there" in err
    assert handler.written == 10  # the records logged meanwhile are stored, not held back
    quick_handler(url, spill).close()  # the next handler replays the rest
    assert stored_numbers(url) == [*range(20_000), *range(100_000, 100_010)]
