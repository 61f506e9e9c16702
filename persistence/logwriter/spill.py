"""A local JSON-lines file that keeps log records while their database cannot take them.

One file per database (``docs/logging.md``): by default it lives in the user's
state directory (``$XDG_STATE_HOME/gal-friday``, else ``~/.local/state/gal-friday``)
and is named after the database (a hash of backend, host, port and database
name, or of the SQLite file's absolute path; never of the user or password). The
file starts with a header naming that database, so records kept for one database
are never replayed into another, even when two handlers are given the same path.
The directory is created ``0700`` and the file ``0600``, whatever the umask.

A file without a header (the release before headers wrote none) is replayed only when
its name names this database (the ``-<hash>`` of :func:`default_spill_path` and of the
sibling a handler falls back to); naming another database, it is left for that one; naming
none, it is set aside as ``<name>.noheader`` and reported (:class:`UnownedSpillFileError`),
never replayed into whichever database a handler points at. :func:`adopt_spill_file`
hands such a file's records to the database they belong to.

Each line after the header is one record with its ``record_id``, so replaying
the file into the ``logs`` table (skipping ids already stored) adds nothing
twice. A replay works on a renamed copy of the file, so records spilled
meanwhile go to a new file and none are lost if the replay itself fails.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import URL, make_url

STATE_DIR_ENV = "XDG_STATE_HOME"
APP_DIR = "gal-friday"
_HEADER_KEY = "gal_friday_spill"
_FILE_MODE = 0o600
_DIR_MODE = 0o700
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9_.-]+")
#: The database-key prefix a spill file's name carries: ``...-<16 hex digits>.jsonl``.
_NAMED_KEY = re.compile(r"-([0-9a-f]{16})(?:\.[^.]*)?$")
_SET_ASIDE = ".noheader"
_REJECTED = ".rejected"  # records a replay could not store, kept for a person to look at


def _open_locked(path: Path) -> int:
    """``path`` opened for appending and locked (``flock``) against the other processes that
    spill to it (a forked child, a pool worker); the lock goes with the descriptor's close.
    Reopened when another process claimed the file meanwhile, so nothing is written to a
    file being replayed."""
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, _FILE_MODE)
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            if os.stat(path).st_ino == os.fstat(fd).st_ino:
                return fd
        except FileNotFoundError:
            pass
        os.close(fd)


def _write_all(fd: int, data: bytes) -> None:
    """Write all of ``data`` to ``fd`` (a short write is continued)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


class UnownedSpillFileError(ValueError):
    """A spill file without a header whose name names no database: kept apart, not replayed."""


def named_key(path: Path) -> str | None:
    """The database-key prefix in a spill file's name (``.replaying`` aside), or None."""
    name = path.name.removesuffix(".replaying")
    match = _NAMED_KEY.search(name)
    return match.group(1) if match else None


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
        self._pending: UnownedSpillFileError | None = None  # a file set aside, to report

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
        """True when the file (or its claimed copy) holds another database's records: its
        header names another, or, without a header, its name does."""
        if self.database is None:
            return False
        owners = {self.owner(self.path), self.owner(self.replaying)} - {None}
        if owners - {self.database}:
            return True
        for target in (self.path, self.replaying):
            named = named_key(target) if self._headerless(target) else None
            if named is not None and not self.database.startswith(named):
                return True
        return False

    def _headerless(self, path: Path) -> bool:
        """True for a file with records and no header (written by the release before)."""
        try:
            return path.stat().st_size > 0 and self.owner(path) is None
        except OSError:
            return False

    def _unowned(self, path: Path) -> bool:
        """A headerless file whose name names no database: nobody can say where it belongs."""
        return self.database is not None and self._headerless(path) and named_key(path) is None

    def _set_aside(self, path: Path) -> UnownedSpillFileError:
        """Move an unowned file out of the way (``<name>.noheader``); the error reporting it."""
        kept = self.path.with_name(self.path.name + _SET_ASIDE)
        number = 0
        while kept.exists():
            number += 1
            kept = self.path.with_name(f"{self.path.name}{_SET_ASIDE}-{number}")
        path.replace(kept)
        return UnownedSpillFileError(
            f"{path} has no header naming its database (an earlier release wrote it): kept as"
            f" {kept}, not replayed; adopt_spill_file() gives its records to their database"
            ' (docs/logging.md, "The spill file")'
        )

    def append(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Write ``rows`` durably (flushed and fsynced) at the end of the file."""
        if not rows:
            return
        text = "".join(_to_json(row) + "\n" for row in rows)
        with self._lock:
            _make_private_dir(self.path.parent)
            data = text.encode("utf-8")  # before the file is touched: nothing half-written
            fd = _open_locked(self.path)
            # checked under the lock: another process's file is never seen half-written
            if self._unowned(self.path):  # never mix records into a file nobody can place
                self._pending = self._set_aside(self.path)  # renamed while still locked
                os.close(fd)
                fd = _open_locked(self.path)
            try:
                with contextlib.suppress(OSError):
                    os.fchmod(fd, _FILE_MODE)  # a file left by an older version
                size = os.fstat(fd).st_size
                if size == 0:
                    header = {_HEADER_KEY: 1, "database": self.database}
                    data = (json.dumps(header) + "\n").encode() + data
                elif os.pread(fd, 1, size - 1) != b"\n":
                    data = b"\n" + data  # a line cut by a crash stays a line of its own
                try:
                    _write_all(fd, data)
                    os.fsync(fd)
                except OSError:
                    with contextlib.suppress(OSError):  # a write cut by a full disk: take it back
                        os.ftruncate(fd, size)
                    raise
            finally:
                os.close(fd)

    def keep_apart(self, lines: Sequence[str]) -> Path:
        """Append ``lines`` (records that cannot be replayed) to ``<name>.rejected``, kept
        for a person to look at and never replayed; returns that file."""
        kept = self.path.with_name(self.path.name + _REJECTED)
        data = "".join(line.rstrip("\n") + "\n" for line in lines)
        with self._lock:
            fd = os.open(kept, os.O_WRONLY | os.O_CREAT | os.O_APPEND, _FILE_MODE)
            try:
                _write_all(fd, data.encode("utf-8", "backslashreplace"))
                os.fsync(fd)
            finally:
                os.close(fd)
        return kept

    def has_records(self) -> bool:
        """True when something waits to be replayed."""
        return self.replaying.exists() or (self.path.exists() and self.path.stat().st_size > 0)

    def claim(self) -> Path | None:
        """The file to replay now (a left-over claimed one first), out of the writers' way."""
        with self._lock:
            pending, self._pending = self._pending, None
            if pending is not None:
                raise pending
            if self._unowned(self.replaying):  # no process writes to a claimed file
                raise self._set_aside(self.replaying)
            if self.replaying.exists():
                return self.replaying
            if self.path.exists() and self.path.stat().st_size > 0:
                fd = _open_locked(self.path)  # no other process is writing to it meanwhile
                try:
                    if self._unowned(self.path):  # read under the lock: never half-written
                        raise self._set_aside(self.path)
                    os.link(self.path, self.replaying)  # never over another process's claim
                    self.path.unlink()
                except FileExistsError:
                    pass  # another process claimed a file just now: replay that one
                finally:
                    os.close(fd)
                return self.replaying
        return None

    @staticmethod
    def read(
        path: Path, batch_size: int, skipped: Callable[[int, str], None] | None = None
    ) -> Iterator[list[dict[str, Any]]]:
        """The rows of a claimed file in batches (the header and a torn last line are skipped).

        Given ``skipped``, a line that is not a row (cut by a full disk or a crash, or
        corrupt) is passed to it with its line number and the rest is read on; without it,
        such a line raises ``ValueError``.
        """
        batch: list[dict[str, Any]] = []
        with path.open(encoding="utf-8", errors="replace") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.endswith("\n"):
                    if skipped is not None and line.strip():
                        skipped(number, line)
                    break  # a write cut short by a crash: the rest of the line never made it
                if line.startswith("{" + json.dumps(_HEADER_KEY)) or not line.strip():
                    continue
                try:
                    row = _from_json(line)
                except (ValueError, KeyError, TypeError, AttributeError):
                    if skipped is None:
                        raise
                    skipped(number, line)
                    continue
                batch.append(row)
                if len(batch) >= batch_size:
                    yield batch
                    batch = []
        if batch:
            yield batch

    @staticmethod
    def done(path: Path) -> None:
        """Forget a claimed file once every record in it is stored."""
        path.unlink(missing_ok=True)


def adopt_spill_file(
    path: str | Path, url: str | URL, spill_path: str | Path | None = None
) -> Path:
    """Hand the records of a spill file without a header (an earlier release's) to the database
    of ``url``: they are appended to that database's spill file (``spill_path``, else its
    default), which its next log handler replays; ``path`` is removed. Returns the spill file.

    Only for a file you know was written for that database: nothing in it says so.
    """
    source = Path(path)
    database = make_url(url) if isinstance(url, str) else url
    key = database_key(database)
    target = SpillFile(spill_path or default_spill_path(database, key), key)
    if target.belongs_elsewhere():
        raise UnownedSpillFileError(f"{target.path} keeps another database's records")
    for batch in SpillFile.read(source, 5_000):
        target.append(batch)
    source.unlink()
    return target.path
