"""A local JSON-lines file that keeps log records while their database cannot take them.

One file per database (``docs/logging.md``): by default it lives in the user's
state directory (``$XDG_STATE_HOME/gal-friday``, else ``~/.local/state/gal-friday``)
and is named after the database (a hash of backend, host, port and database
name, or of the SQLite file's absolute path; never of the user or password). The
file starts with a header naming that database, so records kept for one database
are never replayed into another, even when two handlers are given the same path.
The directory is created ``0700`` and the file ``0600``, whatever the umask.

Each line after the header is one record with its ``record_id``, so replaying
the file into the ``logs`` table (skipping ids already stored) adds nothing
twice. A replay works on a renamed copy of the file, so records spilled
meanwhile go to a new file and none are lost if the replay itself fails.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import threading
import uuid
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import URL

STATE_DIR_ENV = "XDG_STATE_HOME"
APP_DIR = "gal-friday"
_HEADER_KEY = "gal_friday_spill"
_FILE_MODE = 0o600
_DIR_MODE = 0o700
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9_.-]+")


def state_directory() -> Path:
    """The per-user directory for Gal-Friday's state (``$XDG_STATE_HOME/gal-friday``)."""
    base = os.environ.get(STATE_DIR_ENV)
    root = Path(base) if base and Path(base).is_absolute() else Path.home() / ".local" / "state"
    return root / APP_DIR


def _is_memory(url: URL) -> bool:
    return url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")


def database_identity(url: URL) -> str:
    """What names a database: backend, host, port and name, or the SQLite file's absolute path.

    The user name and password are left out. An in-memory SQLite database lives
    only as long as its process: each gets an identity of its own.
    """
    backend = url.get_backend_name()
    if backend == "sqlite":
        if _is_memory(url):
            return f"sqlite-memory:{os.getpid()}:{uuid.uuid4()}"
        return f"sqlite:{Path(url.database or '').expanduser().resolve()}"
    host = url.host or str(url.query.get("host", "")) or "localhost"
    port = url.port or 5432
    return f"{backend}://{host}:{port}/{url.database or ''}"


def database_key(url: URL) -> str:
    """A stable hash of :func:`database_identity` (hex)."""
    return hashlib.sha256(database_identity(url).encode()).hexdigest()


def default_spill_path(url: URL, key: str | None = None) -> Path:
    """The spill file of this database (whose :func:`database_key` is ``key``) in the user's
    state directory."""
    if url.get_backend_name() == "sqlite" and not _is_memory(url):
        name = Path(url.database or "db").stem
    else:
        name = url.database or "memory"
    label = _UNSAFE_NAME.sub("_", name)[:40] or "db"
    backend = url.get_backend_name()
    key = key or database_key(url)
    return state_directory() / f"logs-{backend}-{label}-{key[:16]}.jsonl"


def _to_json(row: Mapping[str, Any]) -> str:
    fields = dict(row)
    fields["timestamp"] = fields["timestamp"].isoformat()
    fields["record_id"] = str(fields["record_id"])
    return json.dumps(fields, ensure_ascii=False, default=str)


def _from_json(line: str) -> dict[str, Any]:
    row: dict[str, Any] = json.loads(line)
    row.pop("id", None)
    row["timestamp"] = datetime.fromisoformat(row["timestamp"])
    row["record_id"] = uuid.UUID(row["record_id"])
    return row


def _make_private_dir(path: Path) -> None:
    """Create ``path`` (and its parents) if missing; a directory created here is 0700."""
    if path.is_dir():
        return
    path.mkdir(parents=True, exist_ok=True, mode=_DIR_MODE)
    with contextlib.suppress(OSError):
        path.chmod(_DIR_MODE)


class SpillFile:
    """Append log rows (:mod:`~gal_friday.persistence.logwriter.rows`, keyed by column) to a
    private JSON-lines file of one database, and read them back for replay."""

    def __init__(self, path: str | Path, database: str | None = None) -> None:
        self.path = Path(path)
        self.database = database
        self.replaying = self.path.with_name(self.path.name + ".replaying")
        self._lock = threading.Lock()

    def owner(self, path: Path | None = None) -> str | None:
        """The database key in the file's header (None: no file, or no header)."""
        target = path or self.path
        try:
            with target.open(encoding="utf-8") as handle:
                first = handle.readline()
        except OSError:
            return None
        try:
            header = json.loads(first)
        except ValueError:
            return None
        if isinstance(header, dict) and _HEADER_KEY in header:
            return str(header.get("database"))
        return None

    def belongs_elsewhere(self) -> bool:
        """True when the file (or its claimed copy) holds another database's records."""
        if self.database is None:
            return False
        owners = {self.owner(self.path), self.owner(self.replaying)} - {None}
        return bool(owners - {self.database})

    def append(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Write ``rows`` durably (flushed and fsynced) at the end of the file."""
        if not rows:
            return
        text = "".join(_to_json(row) + "\n" for row in rows)
        with self._lock:
            _make_private_dir(self.path.parent)
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, _FILE_MODE)
            with os.fdopen(fd, "a", encoding="utf-8") as handle:
                with contextlib.suppress(OSError):
                    os.fchmod(handle.fileno(), _FILE_MODE)  # a file left by an older version
                if handle.tell() == 0:
                    header = {_HEADER_KEY: 1, "database": self.database}
                    handle.write(json.dumps(header) + "\n")
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())

    def has_records(self) -> bool:
        """True when something waits to be replayed."""
        return self.replaying.exists() or (self.path.exists() and self.path.stat().st_size > 0)

    def claim(self) -> Path | None:
        """The file to replay now (a left-over claimed one first), out of the writers' way."""
        with self._lock:
            if self.replaying.exists():
                return self.replaying
            if self.path.exists() and self.path.stat().st_size > 0:
                self.path.replace(self.replaying)
                return self.replaying
        return None

    @staticmethod
    def read(path: Path, batch_size: int) -> Iterator[list[dict[str, Any]]]:
        """The rows of a claimed file in batches (the header and a torn last line are skipped)."""
        batch: list[dict[str, Any]] = []
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                if not line.endswith("\n"):
                    break  # a write cut short by a crash: the rest of the line never made it
                if line.startswith("{" + json.dumps(_HEADER_KEY)):
                    continue
                batch.append(_from_json(line))
                if len(batch) >= batch_size:
                    yield batch
                    batch = []
        if batch:
            yield batch

    @staticmethod
    def done(path: Path) -> None:
        """Forget a claimed file once every record in it is stored."""
        path.unlink(missing_ok=True)
