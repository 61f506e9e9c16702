"""SQLite files that are not ours, or not writable (docs/database.md, "SQLite files").

Reading another program's SQLite file never changes its journal mode; a file in a
folder this process cannot write is opened read-only, and reading it creates nothing
beside it (no ``-wal``, no ``-shm``).
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from gal_friday.persistence import database, schema
from gal_friday.persistence.database import create_engine
from gal_friday.persistence.errors import StorageError
from tests.e2e.test_cli import run


def _journal_mode(path: Path) -> str:
    with sqlite3.connect(path) as conn:
        return conn.execute("PRAGMA journal_mode").fetchone()[0]


def test_reading_another_programs_file_keeps_its_journal_mode(tmp_path):
    foreign = tmp_path / "theirs.db"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE positions (pair TEXT)")
    result = run(f"sqlite:///{foreign}", "report")
    assert result.returncode == 1 and "no schema" in result.stderr
    engine = create_engine(f"sqlite:///{foreign}")
    with engine.connect() as conn:
        conn.execute(text("SELECT count(*) FROM positions"))
    engine.dispose()
    assert _journal_mode(foreign) == "delete"  # before: switched to WAL for good


def test_a_new_file_is_ours_and_in_wal_mode(tmp_path):
    path = tmp_path / "ours.db"
    schema.upgrade(f"sqlite:///{path}")
    assert _journal_mode(path) == "wal"


@pytest.fixture
def read_only_folder(tmp_path, monkeypatch):
    """A migrated file with a trade, in a folder the process is told it cannot write.

    Root may write anywhere, so the test stands in for the kernel's answer to
    ``access(folder, W_OK)``; SQLite itself then works on the file as it is.
    """
    folder = tmp_path / "mounted"
    folder.mkdir()
    path = folder / "galfriday.db"
    engine = create_engine(f"sqlite:///{path}")
    schema.upgrade(engine)
    engine.dispose()  # the last connection closed: SQLite checkpoints and removes -wal, -shm
    assert sorted(p.name for p in folder.iterdir()) == ["galfriday.db"]
    real_access = database.os.access
    monkeypatch.setattr(
        database.os,
        "access",
        lambda p, mode, **kw: False if Path(p) == folder else real_access(p, mode, **kw),
    )
    return path


def test_a_file_in_a_read_only_folder_is_read_without_writing_beside_it(read_only_folder):
    before = hashlib.sha256(read_only_folder.read_bytes()).hexdigest()
    around = sorted(p.name for p in read_only_folder.parent.iterdir())
    engine = create_engine(f"sqlite:///{read_only_folder}")
    assert engine.url.database.endswith("galfriday.db?mode=ro&immutable=1")
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM orders")) == 0
    with pytest.raises(StorageError, match="readonly"), engine.begin() as conn:
        conn.execute(text("DELETE FROM orders"))
    engine.dispose()
    assert sorted(p.name for p in read_only_folder.parent.iterdir()) == around  # no -wal/-shm
    assert hashlib.sha256(read_only_folder.read_bytes()).hexdigest() == before
