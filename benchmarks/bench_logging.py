"""The database log handler: caller-side cost per call, and sustained rows/s vs a raw COPY."""

from __future__ import annotations

import logging
import tempfile
import time
from pathlib import Path

import psycopg

from benchmarks.support import Row, libpq, scratch_database, timed
from gal_friday.domain import Log
from gal_friday.persistence.log_handler import DatabaseLogHandler


def _caller_cost(handler: logging.Handler, count: int) -> float:
    logger = logging.getLogger(f"bench.{id(handler)}")
    logger.handlers = [handler]
    logger.propagate = False
    logger.setLevel(logging.INFO)
    started = time.perf_counter()
    for n in range(count):
        logger.info("order %s filled %d", "X", n, extra={"pair": "XRP/USD"})
    return (time.perf_counter() - started) / count


def run(count: int) -> list[Row]:
    """Per-call cost against NullHandler and FileHandler; throughput against COPY."""
    with tempfile.TemporaryDirectory() as tmp, scratch_database() as url:
        null = _caller_cost(logging.NullHandler(), count)
        file_handler = logging.FileHandler(Path(tmp) / "bench.log")
        plain = _caller_cost(file_handler, count)
        file_handler.close()
        handler = DatabaseLogHandler(
            url.render_as_string(hide_password=False),
            queue_size=count + 10,
            batch_size=2000,
            spill_path=Path(tmp) / "spill.jsonl",
        )
        started = time.perf_counter()
        ours = _caller_cost(handler, count)
        handler.close()
        sustained = count / (time.perf_counter() - started)
        records = [
            logging.LogRecord("bench", logging.INFO, __file__, 1, "order %s", ("X",), None)
            for _ in range(count)
        ]
        logs = [Log.from_record(r) for r in records]

        def raw() -> None:
            with (
                psycopg.connect(libpq(url)) as conn,
                conn.cursor() as cur,
                cur.copy(
                    "COPY logs (record_id, timestamp, logger_name, level_name, level_no, message)"
                    " FROM STDIN"
                ) as copy,
            ):
                for log in logs:
                    copy.write_row(
                        (
                            log.record_id,
                            log.timestamp,
                            log.logger_name,
                            log.level_name,
                            log.level_no,
                            log.message,
                        )
                    )

        raw_rate = count / timed(raw)
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
            "reported",
            None,
        ),
        Row(
            f"log rows/s into PostgreSQL, {count:,} records",
            f"{sustained:,.0f}",
            f"{raw_rate:,.0f} (COPY)",
            sustained / raw_rate,
            "reported",
            None,
        ),
    ]
