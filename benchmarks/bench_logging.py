"""The database log handler: the caller's cost per call, with room in the queue and with the
queue full against a hung server, and the writer's rows/s against a raw COPY of the same rows."""

from __future__ import annotations

import logging
import socket
import tempfile
import time
from pathlib import Path

import psycopg
from psycopg import sql

from benchmarks.support import Row, libpq, percentile, scratch_database
from gal_friday.persistence.logwriter.handler import DatabaseLogHandler
from gal_friday.persistence.logwriter.rows import LOG_COLUMNS

COLUMNS = list(LOG_COLUMNS)  # the writer's own column order
BATCH = 10_000  # records per transaction: each commit waits for the WAL flush
ROUNDS = 5  # the best of each: the shared machine slows some rounds down


def _logger(handler: logging.Handler) -> logging.Logger:
    logger = logging.getLogger(f"bench.{id(handler)}")
    logger.handlers = [handler]
    logger.propagate = False
    logger.setLevel(logging.INFO)
    return logger


def _caller_cost(handler: logging.Handler, count: int) -> float:
    """Seconds per ``logger.info`` call, averaged over ``count`` calls."""
    logger = _logger(handler)
    started = time.perf_counter()
    for n in range(count):
        logger.info("order %s filled %d", "X", n, extra={"pair": "XRP/USD"})
    return (time.perf_counter() - started) / count


def _full_queue_p99(tmp: Path, count: int) -> float:
    """p99 seconds per call while the queue is full and the server never answers."""
    hung = socket.create_server(("127.0.0.1", 0))  # never accepts: connections wait in the backlog
    handler = DatabaseLogHandler(
        f"postgresql://bench@127.0.0.1:{hung.getsockname()[1]}/bench",
        queue_size=100,
        batch_size=50,
        spill_path=tmp / "hung.jsonl",
    )
    logger = _logger(handler)
    for n in range(200):
        logger.info("order %s filled %d", "X", n, extra={"pair": "XRP/USD"})
    samples = []
    for n in range(count):
        started = time.perf_counter()
        logger.info("order %s filled %d", "X", n, extra={"pair": "XRP/USD"})
        samples.append(time.perf_counter() - started)
    handler.close()
    hung.close()
    assert handler.dropped == 0
    return percentile(samples, 99)


def _writer_rate(url: str, tmp: Path, count: int) -> tuple[float, float]:
    """(rows/s of the writer draining ``count`` queued records, rows/s end to end)."""
    handler = DatabaseLogHandler(
        url,
        queue_size=count + 10,
        batch_size=count + 1,  # the writer waits: records pile up in the queue
        flush_interval=3600,
        spill_path=tmp / "drain.jsonl",
    )
    logger = _logger(handler)
    logger.info("connect")  # the writer connects before the clock starts: a drain, not a connect
    handler.flush()
    while handler.written < 1:
        time.sleep(0.001)
    started = time.perf_counter()
    for n in range(count):
        logger.info("order %s filled %d", "X", n, extra={"pair": "XRP/USD"})
    handler.batch_size = BATCH
    handler.flush_interval = 0.01
    drain_started = time.perf_counter()
    handler.close()  # returns once the writer has stored the queue (no polling thread to switch to)
    finished = time.perf_counter()
    assert handler.written == count + 1 and handler.spilled == handler.dropped == 0
    return count / (finished - drain_started), count / (finished - started)


def _copy_rate(url: str) -> float:
    """rows/s of a raw COPY of the rows the handler stored, back into ``logs`` once emptied (same
    table, indexes and sequence), from tuples ready in memory (the context as its JSON text)."""
    selected = sql.SQL(", ").join(
        sql.SQL("{}::text").format(sql.Identifier(name))
        if name == "context_json"
        else sql.Identifier(name)
        for name in COLUMNS
    )
    columns = sql.SQL(", ").join(map(sql.Identifier, COLUMNS))
    with psycopg.connect(url) as conn:
        rows = conn.execute(sql.SQL("SELECT {} FROM logs ORDER BY id").format(selected)).fetchall()
        conn.execute("TRUNCATE logs")
        conn.commit()
        started = time.perf_counter()
        with conn.cursor() as cursor:
            statement = sql.SQL("COPY logs ({}) FROM STDIN").format(columns)
            with cursor.copy(statement) as copy:
                for row in rows:
                    copy.write_row(row)
        conn.commit()
        return len(rows) / (time.perf_counter() - started)


def run(count: int) -> list[Row]:
    """Per-call cost against NullHandler and FileHandler; the writer's rows/s against COPY."""
    with tempfile.TemporaryDirectory() as tmp_dir, scratch_database() as url:
        tmp = Path(tmp_dir)
        null = _caller_cost(logging.NullHandler(), count)
        file_handler = logging.FileHandler(tmp / "bench.log")
        plain = _caller_cost(file_handler, count)
        file_handler.close()
        handler = DatabaseLogHandler(
            url.render_as_string(hide_password=False),
            queue_size=count + 10,
            batch_size=BATCH,
            spill_path=tmp / "spill.jsonl",
        )
        ours = _caller_cost(handler, count)
        handler.close()
        p99 = _full_queue_p99(tmp, min(count, 10_000))
        drains, ends, copies = [], [], []
        for _ in range(ROUNDS):  # the handler and COPY take turns: a slow spell hits both
            with psycopg.connect(libpq(url), autocommit=True) as conn:
                conn.execute("TRUNCATE logs")
            drain, end_to_end = _writer_rate(url.render_as_string(hide_password=False), tmp, count)
            drains.append(drain)
            ends.append(end_to_end)
            copies.append(_copy_rate(libpq(url)))
        drain, end_to_end, raw_rate = max(drains), max(ends), max(copies)
    return [
        Row(
            "logger.info caller cost, us (vs NullHandler)",
            f"{ours * 1e6:.1f}",
            f"{null * 1e6:.1f}",
            ours / null,
            "reported",
            None,
        ),
        Row(
            "logger.info caller cost, us (vs FileHandler)",
            f"{ours * 1e6:.1f}",
            f"{plain * 1e6:.1f}",
            ours / plain,
            "<= 3x",
            ours / plain <= 3,
        ),
        Row(
            "logger.info p99, us, queue full, server hung",
            f"{p99 * 1e6:.1f}",
            f"{plain * 1e6:.1f} (FileHandler mean)",
            p99 / plain,
            "reported",
            None,
        ),
        Row(
            f"log rows/s into PostgreSQL (writer), {count:,} records",
            f"{drain:,.0f}",
            f"{raw_rate:,.0f} (COPY, same rows)",
            drain / raw_rate,
            ">= 0.5",
            drain / raw_rate >= 0.5,
        ),
        Row(
            f"log rows/s end to end (calls + writer), {count:,} records",
            f"{end_to_end:,.0f}",
            f"{raw_rate:,.0f} (COPY, same rows)",
            end_to_end / raw_rate,
            "reported",
            None,
        ),
    ]
