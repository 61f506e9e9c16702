"""A logging handler that stores records in the ``logs`` table without ever blocking the caller.

How it works (the rules a user needs are in ``docs/logging.md``):

* ``emit`` (the caller's thread) only copies the record's attributes and formats
  its message, then appends it to an in-memory queue (``queue_size`` records). When
  that queue is full the record goes to an overflow queue (``overflow_size``)
  emptied to the spill file by a spill thread. Neither step touches the database or
  the disk, so a call costs microseconds under any load or outage. Only a record
  that finds both queues full is dropped: counted in ``dropped`` and reported on
  stderr.
* A writer thread turns queued records into rows (context made JSON-safe, secrets
  redacted: :mod:`gal_friday.domain.redaction`) and writes them in batches
  (``batch_size`` records, or what came in ``flush_interval`` seconds), one short
  transaction per batch through the bulk path (COPY on PostgreSQL). A batch that
  is retried, or replayed from the spill file, skips the ``record_id``s already
  stored, so nothing is stored twice.
* When the database fails, the writer keeps its batch and retries with capped
  exponential backoff; once the outage outlasts ``spill_after`` seconds, what it
  holds and what is queued go to the spill file
  (:class:`~gal_friday.persistence.logwriter.spill.SpillFile`, one private file per
  database), replayed into the table once the database is back (also by the next
  handler on the same database). A missing ``logs`` table is reported as such
  ("run `gal-friday db upgrade`") and its records are kept the same way.
* Every connection the handler makes has a connect timeout and a statement
  timeout; ``close()`` returns within about ``close_timeout`` seconds whatever the
  server does: a batch the writer still holds then is spilled, never dropped.

The handler never raises into the caller and never logs into itself: records
from ``sqlalchemy.*``, ``alembic.*``, its own logger and its own threads are
ignored. ``close()`` also runs at interpreter exit. It works with
``logging.config.dictConfig`` (plain keyword arguments) and from asyncio code.

Process shapes (``docs/logging.md``, "Processes, pools and SIGTERM"):

* A forked child (``os.fork``, ``multiprocessing`` with fork) gets its own writer:
  fresh queues, locks, threads, counters and connection pool; the parent's queued
  records stay the parent's. Every ``multiprocessing`` child closes the handler when
  it exits (a ``multiprocessing.util.Finalize``, as ``os._exit`` skips ``atexit``) and,
  where SIGTERM has its default action, turns SIGTERM into ``SystemExit`` so that a
  pool's ``terminate()`` (``with Pool()``) flushes too.
* :meth:`DatabaseLogHandler.install_sigterm_flush` is the opt-in for the main process.
* A record whose text no database stores (NUL, lone surrogate) is stored altered
  (:func:`~gal_friday.persistence.logwriter.rows.storable_text`); a row the database
  still refuses is stored apart from its batch or kept in ``<spill>.rejected``; a
  spill line cut by a full disk or a crash is skipped, counted in ``unreadable`` and
  reported with its file and line, and the rest of the file is replayed.
"""

from __future__ import annotations

import atexit
import collections
import contextlib
import json
import logging
import math
import multiprocessing
import multiprocessing.util
import os
import signal
import sys
import threading
import time
import traceback
import uuid
import weakref
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from types import FrameType
from typing import Any

from sqlalchemy import Connection, Engine, text

from gal_friday.domain.logs import DEFAULT_SECRET_KEYS
from gal_friday.domain.redaction import redactor, scrub_text
from gal_friday.persistence.database import create_engine, mask_url, resolve_url
from gal_friday.persistence.fastpath import bulk
from gal_friday.persistence.fastpath.json_text import json_text as _json_text
from gal_friday.persistence.logwriter.rows import (
    LOG_COLUMNS,
    log_row,
    record_ids,
    storable_text,
)
from gal_friday.persistence.logwriter.spill import SpillFile, database_key, default_spill_path
from gal_friday.persistence.tables import definitions as t

INTERNAL_LOGGER = "galfriday.log_handler"
_IGNORED_PREFIXES = ("sqlalchemy", INTERNAL_LOGGER, "alembic")
_SPILL_CHUNK = 5_000  # records the spill thread writes (and fsyncs) at once
_CHUNK = 200  # records the writer redacts at once while a COPY is under way
_CONTEXT = LOG_COLUMNS.index("context_json")
_MIN_CONNECT_TIMEOUT = 2  # libpq treats anything lower as 2 seconds
_LONGEST_REASON = 200  # characters of an error message quoted in a warning
_FINALIZE_PRIORITY = 10  # multiprocessing runs exit finalizers of priority >= 0 first
_TEXT_COLUMNS = tuple(
    name for name in LOG_COLUMNS if name not in ("record_id", "timestamp", "level_no", "lineno")
)

#: A queued record: a copy of its attributes and its formatted message.
_Item = tuple[dict[str, Any], str]
#: A row: ``log_row``'s tuple; made for COPY (PostgreSQL), its context is JSON text already.
_Row = tuple[Any, ...]


class DatabaseLogHandler(logging.Handler):
    """Non-blocking handler writing log records to the ``logs`` table (see the module docstring)."""

    def __init__(
        self,
        url: str | None = None,
        *,
        engine: Engine | None = None,
        batch_size: int = 2_000,
        flush_interval: float = 0.5,
        queue_size: int = 10_000,
        overflow_size: int = 50_000,
        spill_path: str | Path | None = None,
        spill_after: float = 5.0,
        max_backoff: float = 5.0,
        connect_timeout: float = 5.0,
        statement_timeout: float = 10.0,
        close_timeout: float = 3.0,
        redact_keys: Iterable[str] = DEFAULT_SECRET_KEYS,
        level: int | str = logging.NOTSET,
    ) -> None:
        super().__init__(level)
        self._warned: set[str] = set()
        self._owns_engine = engine is None
        self.engine = (
            engine if engine is not None else _engine(url, connect_timeout, statement_timeout)
        )
        self._statement_timeout_ms = int(statement_timeout * 1000)
        self.batch_size = batch_size
        self.flush_interval = flush_interval
        self.queue_size = queue_size
        self.overflow_size = overflow_size
        self.spill_after = spill_after
        self.max_backoff = max_backoff
        self.close_timeout = close_timeout
        self.redaction = redactor(redact_keys)
        self._postgres = self.engine.dialect.name == "postgresql"
        # COPY takes the context as JSON text: made once per record, on PostgreSQL only
        self._encode_context = _json_text if self._postgres else None
        self.spill = self._spill_file(spill_path)
        self._closed = False
        self._fresh_state()
        self._start_threads()
        _HANDLERS.add(self)
        # A multiprocessing child clears its finalizers after forking, then runs these.
        multiprocessing.util.register_after_fork(self, DatabaseLogHandler._in_worker_process)
        if multiprocessing.parent_process() is not None:
            self._in_worker_process()

    def _fresh_state(self) -> None:
        """Empty queues, new locks and zero counters (at start, and in a forked child)."""
        self.written = 0
        self.spilled = 0
        self.dropped = 0
        self.retries = 0
        self.replayed = 0  # spilled records stored by a replay
        self.rejected = 0  # records the database refused alone: kept in <spill>.rejected
        self.unreadable = 0  # spill lines cut or corrupt: skipped and reported
        self._queue: collections.deque[_Item] = collections.deque()
        self._overflow: collections.deque[_Item] = collections.deque()
        self._held: list[_Row] = []  # the writer's batch (guarded by _lock)
        self._lock = threading.Lock()
        self._count_lock = threading.Lock()
        self._wake = threading.Event()
        self._spill_wake = threading.Event()
        self._finished = threading.Event()  # set when close() has returned
        self._stopping = False
        self._abandoned = False
        self._close_started = 0.0
        self._replaying: Path | None = None  # the claimed spill file being replayed
        self._replay_left = 0  # its records not stored yet

    def _start_threads(self) -> None:
        self._writer = threading.Thread(target=self._run, name="galfriday-log-writer", daemon=True)
        self._spiller = threading.Thread(
            target=self._run_spill, name="galfriday-log-spill", daemon=True
        )
        self._own_threads: frozenset[int | None] = frozenset()
        self._writer.start()
        self._spiller.start()
        self._own_threads = frozenset({self._writer.ident, self._spiller.ident})
        atexit.unregister(self.close)
        atexit.register(self.close)

    # -- process shapes ------------------------------------------------------------------

    def _after_fork_in_child(self) -> None:
        """A forked child's own writer: the parent's threads did not survive the fork, its
        locks may be held for good and its queued records are the parent's to write."""
        self._warned = set()
        self.spill._lock = threading.Lock()
        if self._closed:
            return  # closed in the parent: records logged here are counted as dropped
        self._fresh_state()
        with contextlib.suppress(Exception):
            self.engine.dispose(close=False)  # the parent's connections stay the parent's
        self._start_threads()

    def _in_worker_process(self) -> None:
        """In a ``multiprocessing`` child: close (flush) at its exit, which skips ``atexit``,
        and let a pool's ``terminate()`` (SIGTERM) flush too where SIGTERM has no handler."""
        if self._closed:
            return
        multiprocessing.util.Finalize(self, self.close, exitpriority=_FINALIZE_PRIORITY)
        _exit_on_sigterm()

    def install_sigterm_flush(self) -> bool:
        """Make SIGTERM (systemd, ``docker stop``) end the process through ``SystemExit``, so
        that ``close()`` runs at exit and queued records are written (or spilled).

        Installed only where the application has no SIGTERM handler of its own (a handler of
        its own, or SIGTERM ignored, is left as it is: returns False); call it from the main
        thread. Exit status 143 (128 + SIGTERM). See ``docs/logging.md``.
        """
        return _exit_on_sigterm()

    def _spill_file(self, spill_path: str | Path | None) -> SpillFile:
        key = database_key(self.engine.url)
        if spill_path is None:
            return SpillFile(default_spill_path(self.engine.url, key), key)
        spill = SpillFile(spill_path, key)
        if spill.belongs_elsewhere():  # never mix two databases' records in one file
            path = Path(spill_path)
            spill = SpillFile(path.with_name(f"{path.stem}-{key[:16]}{path.suffix}"), key)
            self._warn(
                "spill-owner",
                f"{path} keeps another database's log records; using {spill.path}",
            )
        return spill

    # -- caller side ---------------------------------------------------------------------

    def emit(self, record: logging.LogRecord) -> None:
        """Queue the record: no I/O, no waiting, never raises (see the module docstring)."""
        try:
            if record.name.startswith(_IGNORED_PREFIXES):
                return
            if self._closed:
                self._drop(1, "records logged after the handler was closed are not stored")
                return
            if threading.get_ident() in self._own_threads:
                return
            item = (record.__dict__.copy(), record.getMessage())
            if len(self._queue) < self.queue_size:
                self._queue.append(item)
                if len(self._queue) == self.batch_size:
                    self._wake.set()
            elif len(self._overflow) < self.overflow_size:
                self._overflow.append(item)
                if not self._spill_wake.is_set():
                    self._spill_wake.set()
            else:
                self._drop(1, "both in-memory queues are full")
        except Exception:
            self._drop(1, "a record could not be formatted")

    # -- turning records into rows -------------------------------------------------------

    def _rows(self, items: list[_Item], *, to_spill: bool = False) -> list[_Row]:
        """The rows of ``items``: ready COPY tuples on PostgreSQL (no object or dict per record);
        ``to_spill`` keeps each context a dict (the spill file writes it as part of its line)."""
        rows = []
        rules, encode = self.redaction, None if to_spill else self._encode_context
        ids = record_ids(len(items))
        for (fields, message), record_id in zip(items, ids, strict=True):
            try:
                exception = _exception_text(fields)
                rows.append(log_row(fields, message, exception, rules, encode, record_id))
            except Exception:
                self._drop(1, "a record could not be turned into a row")
        return rows

    # -- writer thread -------------------------------------------------------------------

    def _run(self) -> None:
        failing_since: float | None = None
        attempts = 0
        self._replay()
        while True:
            if not self._stopping and len(self._queue) < self.batch_size and not self._held:
                self._wake.wait(self.flush_interval)
                self._wake.clear()
            if self._abandoned:
                return  # close() has spilled what was held
            if not self._held and not self._queue:
                if self._stopping:
                    return
                continue
            try:
                self._write(fresh=attempts == 0)
            except Exception as exc:
                if _is_bad_data(exc) and self._held:
                    self._isolate()  # one bad row never takes its batch
                    attempts = 0
                    continue
                attempts += 1
                self.retries += 1
                failing_since = failing_since or time.monotonic()
                self._report_failure(exc)
                if self._stopping or time.monotonic() - failing_since >= self.spill_after:
                    self._spill_held()
                if not self._stopping:
                    self._wake.wait(min(self.max_backoff, 0.05 * 2 ** min(attempts, 10)))
                    self._wake.clear()
                continue
            with self._lock:
                if self._abandoned:
                    return  # close() spilled this batch too: the replay skips what is stored
                self.written += len(self._held)
                self._held = []
            if failing_since is not None:
                self._warned -= {"outage", "no-table"}
            attempts = 0
            failing_since = None
            self._replay()

    def _write(self, *, fresh: bool) -> None:
        """Store the writer's batch (what it holds, topped up from the queue) in one transaction.

        A first attempt carries fresh ids: plain COPY, fed while rows are made (the server
        ingests one chunk while the next is redacted). A retry may follow a commit whose
        answer was lost, so it skips the ids already stored.
        """
        with self.engine.begin() as conn:
            self._bound_statements(conn)
            if not self._postgres:
                rows = [_as_dict(row) for row in self._batch()]
                bulk.insert_rows(conn, t.logs, rows, None if fresh else ("record_id",))
            elif fresh:
                bulk.stream_rows(conn, t.logs, LOG_COLUMNS, self._batch())
            else:
                batch = list(self._batch())
                bulk.insert_new_rows(conn, t.logs, LOG_COLUMNS, batch, ("record_id",))

    def _batch(self) -> Iterator[_Row]:
        """The rows the writer holds, then rows made from the queue (kept in ``_held``, where
        close() finds them) until the batch is full or the queue empty."""
        with self._lock:
            held = list(self._held)
        yield from held
        while True:
            with self._lock:
                if self._abandoned:
                    return
                room = min(_CHUNK, self.batch_size - len(self._held))
                rows = self._rows(_drain(self._queue, room)) if room > 0 else []
                self._held.extend(rows)
            if not rows:
                return
            yield from rows

    def _bound_statements(self, conn: Connection) -> None:
        """A statement timeout on an engine the handler did not make (its own has one)."""
        if not self._owns_engine and conn.dialect.name == "postgresql":
            conn.execute(
                text("SELECT set_config('statement_timeout', :ms, true)"),
                {"ms": str(self._statement_timeout_ms)},
            )

    def _store(self, rows: list[dict[str, Any]]) -> None:
        """Store replayed ``rows`` in one transaction, skipping ids already stored."""
        with self.engine.begin() as conn:
            self._bound_statements(conn)
            if self._postgres:
                ready = [_as_row(row) for row in rows]
                bulk.insert_new_rows(conn, t.logs, LOG_COLUMNS, ready, ("record_id",))
            else:
                bulk.insert_rows(conn, t.logs, rows, ("record_id",))

    def _spill_held(self) -> None:
        """Move the writer's batch and the queue to the spill file."""
        with self._lock:
            if self._abandoned:
                return
            rows, self._held = self._held, []
        self._spill(rows)
        while chunk := _drain(self._queue, _SPILL_CHUNK):
            self._spill(self._rows(chunk, to_spill=True))

    def _replay(self) -> None:
        """Move spilled records into the table (ids already stored are skipped): the claimed
        file, then the file spilled meanwhile, until none is left or close() runs out of time."""
        try:
            while self.spill.has_records():
                if self.spill.belongs_elsewhere():
                    self._warn("spill-owner", f"{self.spill.path} keeps another database's records")
                    return
                claimed = self.spill.claim()
                if claimed is None or not self._replay_file(claimed):
                    return
        except ValueError as exc:  # a spill file set aside (no header, no owner)
            self._warn("replay", f"{_first_line(exc)}")
        except Exception:
            return  # still unavailable: the file stays and is replayed later
        finally:
            self._replaying = None

    def _replay_file(self, claimed: Path) -> bool:
        """Replay one claimed file; False when close() stopped it (the rest stays there)."""
        self._replaying, self._replay_left = claimed, _record_lines(claimed)
        skipped: list[tuple[int, str]] = []
        for batch in self.spill.read(
            claimed, self.batch_size, lambda n, line: skipped.append((n, line))
        ):
            if self._stopping and time.monotonic() - self._close_started > self.close_timeout:
                self._warn("replay-left", self._replay_message())
                return False  # the next handler on this database replays the rest
            self._store_replayed([_storable_row(row) for row in batch])
            self._replay_left -= len(batch)
            with self._count_lock:
                self.replayed += len(batch)
        self._report_unreadable(claimed, skipped)
        self.spill.done(claimed)
        return True

    def _replay_message(self) -> str:
        return (
            f"still replaying {self._replaying} when closed: {self._replay_left} log records"
            " remain there; the next handler on this database replays them"
        )

    def _store_replayed(self, rows: list[dict[str, Any]]) -> None:
        """Store replayed ``rows``; a batch the database refuses for its content is stored row
        by row and a row refused alone is kept in ``<spill>.rejected`` (and reported)."""
        try:
            self._store(rows)
        except Exception as exc:
            if not _is_bad_data(exc):
                raise
            refused = []
            for row in rows:
                try:
                    self._store([row])
                except Exception as alone:
                    if not _is_bad_data(alone):
                        raise
                    refused.append((row, alone))
            if refused:
                self._keep_apart([row for row, _ in refused], refused[0][1])

    def _isolate(self) -> None:
        """Store the writer's batch row by row after the database refused it for the content
        of some row; a row refused alone is kept in ``<spill>.rejected`` (and reported)."""
        with self._lock:
            rows, self._held = self._held, []
        refused = []
        stored = 0
        for row in rows:
            try:
                self._store([_as_dict(row)])
                stored += 1
            except Exception as exc:
                if not _is_bad_data(exc):
                    self._spill([row])  # the database went away meanwhile: kept, replayed later
                    continue
                refused.append((_as_dict(row), exc))
        self.written += stored
        if refused:
            self._keep_apart([row for row, _ in refused], refused[0][1])

    def _keep_apart(self, rows: list[dict[str, Any]], reason: BaseException) -> None:
        lines = [json.dumps(row, default=str) for row in rows]
        try:
            kept = self.spill.keep_apart(lines)
        except Exception as exc:
            self._drop(
                len(rows), f"rows the database refused cannot be kept ({type(exc).__name__})"
            )
            return
        with self._count_lock:
            self.rejected += len(rows)
        self._warn(
            "rejected",
            f"{len(rows)} log records refused by the database alone ({_first_line(reason)})"
            f" are kept in {kept}; the rest of their batch is stored",
        )

    def _report_unreadable(self, claimed: Path, skipped: list[tuple[int, str]]) -> None:
        """Count and report the lines of a replayed file that were not rows; keep them apart."""
        if not skipped:
            return
        with self._count_lock:
            self.unreadable += len(skipped)
        where = ", ".join(str(number) for number, _ in skipped[:5])
        more = f" and {len(skipped) - 5} more" if len(skipped) > 5 else ""
        try:
            kept = f"kept in {self.spill.keep_apart([line for _, line in skipped])}"
        except Exception as exc:
            kept = f"not kept ({type(exc).__name__})"
        self._warn(
            f"unreadable {claimed} {where}",
            f"{claimed} line {where}{more}: cut or corrupt, skipped ({kept});"
            " the rest of the file is replayed",
        )

    # -- spill thread --------------------------------------------------------------------

    def _run_spill(self) -> None:
        while True:
            self._spill_wake.wait()
            self._spill_wake.clear()
            while chunk := _drain(self._overflow, _SPILL_CHUNK):
                self._spill(self._rows(chunk, to_spill=True))
            if self._stopping:
                return

    # -- bookkeeping ---------------------------------------------------------------------

    def _spill(self, rows: list[_Row]) -> None:
        if not rows:
            return
        try:
            self.spill.append([_as_dict(row) for row in rows])
        except Exception as exc:
            self._drop(len(rows), f"the spill file cannot be written ({type(exc).__name__})")
            return
        with self._count_lock:
            self.spilled += len(rows)

    def _drop(self, count: int, reason: str) -> None:
        with self._count_lock:
            self.dropped += count
        self._warn(f"dropped, {reason}", f"log records dropped: {reason}")

    def _report_failure(self, exc: BaseException) -> None:
        if self._abandoned:
            return  # close() has said what happened
        if _is_missing_table(exc):
            self._warn(
                "no-table",
                "the logs table does not exist: run `gal-friday db upgrade`;"
                f" log records are kept in {self.spill.path} until then",
            )
        else:
            self._warn(
                "outage",
                f"database unavailable ({_first_line(exc)}); retrying,"
                f" log records are kept in {self.spill.path} meanwhile",
            )

    def _warn(self, kind: str, message: str) -> None:
        """One line on stderr, once per kind of trouble (again after it has cleared)."""
        if kind in self._warned:
            return
        self._warned.add(kind)
        with contextlib.suppress(Exception):
            line = f"[{INTERNAL_LOGGER}] {mask_url(self.engine.url)}: {message}"
            sys.stderr.write(scrub_text(line) + "\n")  # also a ?password= the URL may carry

    def flush(self) -> None:
        """Wake the writer so queued records go out now."""
        self._wake.set()

    def close(self) -> None:
        """Write what is queued (or spill it), stop both threads; returns within seconds."""
        with self._count_lock:
            if self._closed:
                return
            self._closed = True
        self._close_started = time.monotonic()
        try:
            self._stop()
        finally:
            atexit.unregister(self.close)
            _HANDLERS.discard(self)
            super().close()
            self._finished.set()

    def _stop(self) -> None:
        self._stopping = True
        self._wake.set()
        self._spill_wake.set()
        if not self._wait_for_writer():
            self._abandon()
        self._spill_wake.set()
        self._spiller.join(timeout=self.close_timeout)
        left = len(self._overflow)
        if left:
            self._drop(left, "the spill file could not be written in time")
        if self._owns_engine and not self._writer.is_alive():
            self.engine.dispose()
        if self.dropped:
            self._warn("dropped-total", f"{self.dropped} log records were dropped")

    def _wait_for_writer(self) -> bool:
        """Wait while the writer makes progress; False once it has made none for close_timeout."""
        deadline = time.monotonic() + self.close_timeout
        progress = self.written + self.spilled + self.replayed
        while self._writer.is_alive():
            self._writer.join(timeout=0.05)
            now_progress = self.written + self.spilled + self.replayed
            if now_progress != progress:
                progress = now_progress
                deadline = time.monotonic() + self.close_timeout
            elif time.monotonic() > deadline:
                return False
        return True

    def _abandon(self) -> None:
        """Take over from a writer stuck on the database: spill its batch and the queue."""
        with self._lock:
            self._abandoned = True
            rows, self._held = self._held, []
        rows.extend(self._rows(_drain(self._queue), to_spill=True))
        self._spill(rows)
        if self._replaying is not None:
            self._warn(
                "abandoned",
                f"{self._replay_message()}; {len(rows)} log records kept in {self.spill.path}",
            )
            return
        self._warn(
            "abandoned",
            f"the database did not answer within {self.close_timeout:g} s;"
            f" {len(rows)} log records kept in {self.spill.path}",
        )


#: Every open handler of this process (a forked child restarts them; SIGTERM closes them).
_HANDLERS: weakref.WeakSet[DatabaseLogHandler] = weakref.WeakSet()
_SIGTERM_GRACE = 10.0  # seconds SIGTERM waits for the exit before closing handlers itself
_terminating = False  # a SIGTERM has started the exit


def _after_fork_in_child() -> None:
    global _terminating
    _terminating = False
    for handler in list(_HANDLERS):
        handler._after_fork_in_child()


os.register_at_fork(after_in_child=_after_fork_in_child)


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    """End the process through ``SystemExit`` (``atexit`` and finalizers close the handlers);
    a watchdog closes them and exits itself if the exit is held up (a non-daemon thread)."""
    global _terminating
    if _terminating:
        return  # the exit is under way (and bounded by the watchdog)
    closing = [handler for handler in list(_HANDLERS) if handler._closed]
    if closing:  # never cut a close() short (a pool sends SIGTERM while its workers flush)
        threading.Thread(target=_signal_again, args=(signum, closing), daemon=True).start()
        return
    _terminating = True
    threading.Thread(target=_exit_anyway, args=(signum,), daemon=True).start()
    raise SystemExit(128 + signum)


def _signal_again(signum: int, closing: list[DatabaseLogHandler]) -> None:
    """Deliver the signal again once the handlers being closed are closed (if the process
    still lives: a close() the application made while running)."""
    for handler in closing:
        handler._finished.wait(handler.close_timeout * 3)
    os.kill(os.getpid(), signum)


def _exit_anyway(signum: int) -> None:
    time.sleep(_SIGTERM_GRACE)
    for handler in list(_HANDLERS):  # a handler being closed stays listed until it is closed
        handler.close()
        handler._finished.wait(handler.close_timeout * 3)
    os._exit(128 + signum)


def _exit_on_sigterm() -> bool:
    """Install :func:`_on_sigterm` for SIGTERM where the application has no handler of its
    own; True when it is (now or already) installed."""
    with contextlib.suppress(ValueError):  # not the main thread: nothing installed
        current = signal.getsignal(signal.SIGTERM)
        if current is _on_sigterm:
            return True
        if current is not signal.SIG_DFL:
            return False  # the application's own handler, or SIGTERM ignored: left as it is
        signal.signal(signal.SIGTERM, _on_sigterm)
        return True
    return False


def _drain(items: collections.deque[_Item], limit: int = sys.maxsize) -> list[_Item]:
    """Up to ``limit`` items taken from the left of ``items`` (safe while others append)."""
    drained: list[_Item] = []
    while len(drained) < limit:
        try:
            drained.append(items.popleft())
        except IndexError:
            break
    return drained


def _engine(url: str | None, connect_timeout: float, statement_timeout: float) -> Engine:
    """The handler's own engine: bounded connects and statements, no pre-ping (a failed
    batch is retried anyway)."""
    resolved = resolve_url(url)
    if resolved.get_backend_name() != "postgresql":
        return create_engine(resolved)
    options = str(resolved.query.get("options", ""))
    timeout_option = f"-c statement_timeout={int(statement_timeout * 1000)}"
    connect_args = {
        "connect_timeout": max(_MIN_CONNECT_TIMEOUT, math.ceil(connect_timeout)),
        "options": f"{options} {timeout_option}".strip(),
    }
    return create_engine(resolved, connect_args=connect_args, pool_pre_ping=False)


def _as_dict(row: _Row) -> dict[str, Any]:
    """A held row keyed by column, its id a ``UUID`` and its context a dict (for the spill
    file and SQLite)."""
    values = dict(zip(LOG_COLUMNS, row, strict=True))
    if isinstance(values["record_id"], str):  # made by record_ids
        values["record_id"] = uuid.UUID(values["record_id"])
    context = values["context_json"]
    if isinstance(context, str):  # JSON text made for COPY
        values["context_json"] = json.loads(context)
    return values


def _as_row(values: Mapping[str, Any]) -> _Row:
    """A spilled row (keyed by column) as the writer holds rows on PostgreSQL."""
    row = [values[name] for name in LOG_COLUMNS]
    if row[_CONTEXT] is not None:
        row[_CONTEXT] = _json_text(row[_CONTEXT])
    return tuple(row)


def _exception_text(fields: dict[str, Any]) -> str | None:
    """The record's exception as text (formatted here, on the writer's thread)."""
    info = fields.get("exc_info")
    if info and info[0] is not None:
        return "".join(traceback.format_exception(*info)).rstrip()
    text_: str | None = fields.get("exc_text")
    return text_


def _first_line(exc: BaseException) -> str:
    """The exception's type and the first line of its message, scrubbed and cut short."""
    lines = str(exc).strip().splitlines()
    text = f"{type(exc).__name__}: {lines[0]}" if lines else type(exc).__name__
    return scrub_text(text[:_LONGEST_REASON])


def _is_bad_data(exc: BaseException) -> bool:
    """True when the database (or its driver) refused a row for its content, not an outage:
    retrying the same rows would fail the same way."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, (UnicodeError, ValueError, TypeError, LookupError)):
            return True
        names = {cls.__name__ for cls in type(seen).__mro__}
        if names & {"DataError", "ConstraintViolationError", "IntegrityError"}:
            return True
        seen = getattr(seen, "orig", None) or seen.__cause__
    return False


def _storable_row(row: dict[str, Any]) -> dict[str, Any]:
    """A replayed row with its texts made storable (a file spilled by an earlier release may
    hold a NUL or a lone surrogate)."""
    for name in _TEXT_COLUMNS:
        value = row.get(name)
        if isinstance(value, str):
            row[name] = storable_text(value)
    context = row.get("context_json")
    if context is not None:
        row["context_json"] = _storable_context(context)
    return row


def _storable_context(value: Any) -> Any:
    if isinstance(value, str):
        return storable_text(value)
    if isinstance(value, dict):
        return {storable_text(str(k)): _storable_context(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_storable_context(item) for item in value]
    return value


def _record_lines(path: Path) -> int:
    """The number of lines of a spill file after its header (its records, about)."""
    lines = 0
    with contextlib.suppress(OSError), path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            lines += chunk.count(b"\n")
    return max(0, lines - 1)


def _is_missing_table(exc: BaseException) -> bool:
    """True for "relation logs does not exist" (PostgreSQL) or "no such table" (SQLite)."""
    seen: BaseException | None = exc
    while seen is not None:
        if type(seen).__name__ == "UndefinedTable" or "no such table" in str(seen):
            return True
        seen = getattr(seen, "orig", None) or seen.__cause__
    return False


#: The handler's first name, kept for configurations that use it: the same class as
#: :class:`DatabaseLogHandler` (it was never asynchronous nor PostgreSQL-only).
AsyncPostgresHandler = DatabaseLogHandler
