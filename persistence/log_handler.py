"""A logging handler that stores records in the ``logs`` table without blocking the caller.

``emit`` only freezes the record (its message formatted and its exception turned
into text, as ``QueueHandler.prepare`` does) and puts it on a bounded queue. One
writer thread turns records into :class:`~gal_friday.domain.Log` rows (context made
JSON-safe and redacted) and drains the queue in batches (``batch_size`` records or every
``flush_interval`` seconds), one short transaction per batch, through the bulk
path (COPY on PostgreSQL); records are inserted by ``record_id``, skipping ids
already stored, so a retried batch is never stored twice.

When the database fails, the writer keeps the batch, retries with capped
exponential backoff, and keeps accepting records. When the queue is full, or
the outage outlasts ``spill_after`` seconds, records go to a local JSON-lines
file (``spill_path``), which is replayed into the table once the database is
back (also at the next start). A record that cannot even be spilled is counted
in ``dropped`` and reported on stderr: never silently lost.

The handler never raises into the caller and never logs into itself: records
from ``sqlalchemy.*``, from its own logger and from the writer thread are
ignored. ``close()`` (also at interpreter exit) flushes and joins the writer.
It works with ``logging.config.dictConfig`` (plain keyword arguments) and from
asyncio code (``emit`` never waits on the database).
"""

from __future__ import annotations

import atexit
import contextlib
import copy
import logging
import queue
import sys
import threading
import time
import traceback
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import Engine

from gal_friday.domain import Log
from gal_friday.domain.logs import DEFAULT_SECRET_KEYS
from gal_friday.persistence import bulk
from gal_friday.persistence.database import create_engine, mask_url
from gal_friday.persistence.log_spill import SpillFile

INTERNAL_LOGGER = "galfriday.log_handler"
_IGNORED_PREFIXES = ("sqlalchemy", INTERNAL_LOGGER, "alembic")
_STOP = object()


class DatabaseLogHandler(logging.Handler):
    """Non-blocking handler writing log records to the ``logs`` table (see the module docstring)."""

    def __init__(
        self,
        url: str | None = None,
        *,
        engine: Engine | None = None,
        batch_size: int = 500,
        flush_interval: float = 0.5,
        queue_size: int = 10_000,
        spill_path: str | Path = "galfriday-logs-spill.jsonl",
        spill_after: float = 5.0,
        max_backoff: float = 5.0,
        redact_keys: Iterable[str] = DEFAULT_SECRET_KEYS,
        level: int | str = logging.NOTSET,
    ) -> None:
        super().__init__(level)
        self.engine = engine if engine is not None else create_engine(url)
        self.batch_size = batch_size
        self.flush_interval = flush_interval
        self.spill = SpillFile(spill_path)
        self.spill_after = spill_after
        self.max_backoff = max_backoff
        self.redact_keys = frozenset(key.lower() for key in redact_keys)
        self.written = 0
        self.spilled = 0
        self.dropped = 0
        self.retries = 0
        self._queue: queue.Queue[object] = queue.Queue(maxsize=queue_size)
        self._closed = False
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._run, name="galfriday-log-writer", daemon=True)
        self._thread.start()
        atexit.register(self.close)

    # -- caller side ---------------------------------------------------------------------

    def emit(self, record: logging.LogRecord) -> None:
        """Queue the record (never blocks on the database, never raises)."""
        try:
            if record.name.startswith(_IGNORED_PREFIXES) or self._closed:
                return
            if threading.current_thread() is self._thread:
                return
            frozen = _freeze(record)
            try:
                self._queue.put_nowait(frozen)
            except queue.Full:
                self._spill([Log.from_record(frozen, self.redact_keys)])
        except Exception:
            self._drop(1)

    # -- writer thread -------------------------------------------------------------------

    def _run(self) -> None:
        pending: list[Log] = []
        failing_since: float | None = None
        stopping = False
        self._replay()
        while True:
            if not stopping:
                stopping = self._collect(pending)
            if pending:
                try:
                    self._write(pending)
                    pending = []
                    failing_since = None
                    self._replay()
                except Exception as exc:
                    self.retries += 1
                    failing_since = failing_since or time.monotonic()
                    outage = time.monotonic() - failing_since
                    if stopping or outage >= self.spill_after:
                        self._spill(pending)
                        pending = []
                    self._warn_once(f"database unavailable ({type(exc).__name__}); retrying")
                    self._wake.wait(min(self.max_backoff, 0.05 * 2 ** min(self.retries, 10)))
                    self._wake.clear()
            elif stopping:
                return

    def _collect(self, pending: list[Log]) -> bool:
        """Add queued records to ``pending`` (up to a batch); True when asked to stop."""
        room = self.batch_size - len(pending)
        if room <= 0:
            return False
        try:
            item = self._queue.get(timeout=self.flush_interval)
        except queue.Empty:
            return False
        while True:
            if item is _STOP:
                return True
            assert isinstance(item, logging.LogRecord)
            try:
                pending.append(Log.from_record(item, self.redact_keys))
            except Exception:
                self._drop(1)
            room -= 1
            if room <= 0:
                return False
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return False

    def _write(self, logs: list[Log]) -> None:
        with self.engine.begin() as conn:
            bulk.insert_logs(conn, logs, skip_duplicates=True)
        self.written += len(logs)

    def _replay(self) -> None:
        """Move spilled records into the table (ids already stored are skipped)."""
        if not self.spill.has_records():
            return
        try:
            claimed = self.spill.claim()
            if claimed is None:
                return
            for batch in self.spill.read(claimed, self.batch_size):
                with self.engine.begin() as conn:
                    bulk.insert_logs(conn, batch, skip_duplicates=True)
            self.spill.done(claimed)
        except Exception:
            return  # still unavailable: the file stays and is replayed later

    # -- bookkeeping ---------------------------------------------------------------------

    def _spill(self, logs: list[Log]) -> None:
        try:
            self.spill.append(logs)
            self.spilled += len(logs)
        except Exception:
            self._drop(len(logs))

    def _drop(self, count: int) -> None:
        self.dropped += count
        self._warn_once(f"{self.dropped} log records dropped so far")

    _last_warning = 0.0

    def _warn_once(self, message: str) -> None:
        now = time.monotonic()
        if now - self._last_warning >= 10:
            self._last_warning = now
            url = mask_url(self.engine.url)
            sys.stderr.write(f"[{INTERNAL_LOGGER}] {url}: {message}\n")

    def flush(self) -> None:
        """Wake the writer so queued records go out now."""
        self._wake.set()

    def close(self) -> None:
        """Write what is queued (or spill it if the database is down) and stop the writer."""
        if self._closed:
            return
        self._closed = True
        with contextlib.suppress(queue.Full):
            self._queue.put(_STOP, timeout=5)
        self._wake.set()
        self._thread.join(timeout=30)
        if self._thread.is_alive():
            self._warn_once("the log writer did not finish within 30 s")
        leftovers: list[Log] = []
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if isinstance(item, logging.LogRecord):
                leftovers.append(Log.from_record(item, self.redact_keys))
        self._spill(leftovers)
        if self.dropped:
            sys.stderr.write(f"[{INTERNAL_LOGGER}] {self.dropped} log records were dropped\n")
        atexit.unregister(self.close)
        super().close()


def _freeze(record: logging.LogRecord) -> logging.LogRecord:
    """A copy whose message and exception are text, safe to turn into a row on another thread."""
    frozen = copy.copy(record)
    frozen.msg = record.getMessage()
    frozen.args = None
    if record.exc_info and record.exc_info[0] is not None:
        frozen.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip()
    frozen.exc_info = None
    return frozen


#: Gal-Friday's name for the handler.
AsyncPostgresHandler = DatabaseLogHandler
