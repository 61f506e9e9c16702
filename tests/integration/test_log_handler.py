"""The database log handler: volume from many threads, outages, overflow, recursion, redaction."""

from __future__ import annotations

import json
import logging
import logging.config
import threading
import time
from collections import defaultdict

import pytest
from sqlalchemy import event, select
from sqlalchemy.engine import URL

from gal_friday.persistence.database import create_engine
from gal_friday.persistence.logwriter.handler import DatabaseLogHandler
from gal_friday.persistence.tables import definitions as t
from tests.support.secret_shapes import ALL_SHAPES, secret_for
from tests.support.tcp_proxy import TcpProxy


def stored(url: URL) -> list:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(select(t.logs).order_by(t.logs.c.id)))
    finally:
        engine.dispose()


def make_logger(name: str, handler: logging.Handler) -> logging.Logger:
    logger = logging.getLogger(name)
    logger.handlers = [handler]
    logger.propagate = False
    logger.setLevel(logging.INFO)
    return logger


def test_100k_records_from_8_threads_arrive_once_and_in_order(postgres_url, tmp_path):
    handler = DatabaseLogHandler(
        str(postgres_url.render_as_string(hide_password=False)),
        batch_size=2000,
        flush_interval=0.05,
        queue_size=100_000,
        spill_path=tmp_path / "spill.jsonl",
    )
    logger = make_logger("gf.volume", handler)
    per_thread = 12_500

    def work(thread: int) -> None:
        for n in range(per_thread):
            logger.info("t%d n%d", thread, n, extra={"worker": thread, "n": n})

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    handler.close()
    rows = stored(postgres_url)
    assert len(rows) == 100_000
    assert handler.dropped == 0
    assert handler.spilled == 0
    seen: dict[int, list[int]] = defaultdict(list)
    for row in rows:
        seen[row.context_json["worker"]].append(row.context_json["n"])
    assert {k: v == list(range(per_thread)) for k, v in seen.items()} == dict.fromkeys(
        range(8), True
    )


def test_an_outage_loses_nothing_and_duplicates_nothing(postgres_url, tmp_path):
    proxy = TcpProxy(postgres_url.host or "127.0.0.1", postgres_url.port or 5432)
    try:
        via_proxy = postgres_url.set(host="127.0.0.1", port=proxy.port)
        handler = DatabaseLogHandler(
            via_proxy.render_as_string(hide_password=False),
            batch_size=100,
            flush_interval=0.02,
            spill_after=0.3,
            max_backoff=0.2,
            spill_path=tmp_path / "spill.jsonl",
        )
        threads = io_threads(handler)
        logger = make_logger("gf.outage", handler)
        for n in range(3000):
            if n == 1000:
                time.sleep(0.2)  # the writer is connected and busy: kill its connection
                proxy.cut()
            if n == 2000:
                time.sleep(0.8)  # the outage outlasts spill_after: records go to the file
                proxy.restore()
            logger.info("record %d", n, extra={"n": n})
        time.sleep(0.5)
        handler.close()
        assert not (tmp_path / "spill.jsonl").exists() or not (tmp_path / "spill.jsonl").read_text()
    finally:
        proxy.stop()
    numbers = sorted(row.context_json["n"] for row in stored(postgres_url))
    assert numbers == list(range(3000))  # nothing lost, nothing twice
    assert handler.retries > 0
    assert handler.dropped == 0
    assert threads and threading.get_ident() not in threads  # callers never waited on I/O


def test_records_spilled_while_the_database_is_gone_are_replayed_by_the_next_handler(
    postgres_url, tmp_path
):
    spill = tmp_path / "spill.jsonl"
    proxy = TcpProxy(postgres_url.host or "127.0.0.1", postgres_url.port or 5432)
    try:
        via_proxy = postgres_url.set(host="127.0.0.1", port=proxy.port)
        proxy.cut()  # the same database, unreachable for now
        handler = DatabaseLogHandler(
            via_proxy.render_as_string(hide_password=False),
            flush_interval=0.02,
            spill_after=0.1,
            max_backoff=0.05,
            spill_path=spill,
        )
        logger = make_logger("gf.dead", handler)
        for n in range(50):
            logger.warning("while down %d", n)
        handler.close()
        assert handler.spilled == 50
        header, *lines = spill.read_text().splitlines()
        assert '"gal_friday_spill"' in header
        assert len(lines) == 50
        proxy.restore()
        alive = DatabaseLogHandler(
            via_proxy.render_as_string(hide_password=False), spill_path=spill, flush_interval=0.02
        )
        alive.close()
    finally:
        proxy.stop()
    assert sorted(r.message for r in stored(postgres_url)) == sorted(
        f"while down {n}" for n in range(50)
    )
    assert not spill.exists()


def test_a_full_queue_spills_instead_of_blocking(database_url, tmp_path):
    handler = DatabaseLogHandler(
        database_url.render_as_string(hide_password=False),
        queue_size=5,
        batch_size=5,
        flush_interval=0.01,
        spill_path=tmp_path / "s.jsonl",
    )
    logger = make_logger("gf.full", handler)
    for n in range(500):
        logger.info("burst %d", n)
    handler.close()
    alive = DatabaseLogHandler(
        database_url.render_as_string(hide_password=False),
        spill_path=tmp_path / "s.jsonl",
        flush_interval=0.01,
    )
    alive.close()
    assert sorted(r.message for r in stored(database_url)) == sorted(
        f"burst {n}" for n in range(500)
    )
    assert handler.dropped == 0


def test_it_never_logs_into_itself_and_redacts_secrets(database_url, tmp_path):
    handler = DatabaseLogHandler(
        database_url.render_as_string(hide_password=False),
        flush_interval=0.01,
        spill_path=tmp_path / "s.jsonl",
    )
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    engine_logger = logging.getLogger("sqlalchemy.engine")
    engine_logger.setLevel(logging.INFO)  # every statement the writer runs would log
    try:
        logging.getLogger("gf.app").info(
            "login", extra={"user": "ann", "password": "hunter2", "nested": {"api_key": "k"}}
        )
        time.sleep(0.3)
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
        engine_logger.setLevel(logging.WARNING)
        handler.close()
    rows = stored(database_url)
    assert [r.logger_name for r in rows] == ["gf.app"]
    assert rows[0].context_json == {"user": "ann", "password": "***", "nested": {"api_key": "***"}}


def test_no_secret_shape_is_stored_in_clear(database_url, tmp_path):
    handler = DatabaseLogHandler(
        database_url.render_as_string(hide_password=False),
        flush_interval=0.01,
        spill_path=tmp_path / "s.jsonl",
    )
    logger = make_logger("gf.shapes", handler)
    names = list(ALL_SHAPES)
    for index, shape in enumerate(ALL_SHAPES.values()):
        secret = secret_for(index)
        message, args, extra, exc = shape(secret)
        if exc is None:
            logger.info(message, *args, extra={"shape": index, **extra})
        else:
            try:
                raise exc
            except type(exc):
                logger.exception(message, *args, extra={"shape": index, **extra})
    handler.close()
    rows = {row.context_json["shape"]: row for row in stored(database_url)}
    assert len(rows) == len(ALL_SHAPES) >= 30
    in_clear = [
        names[index]
        for index, row in rows.items()
        if secret_for(index)
        in " ".join([row.message, json.dumps(row.context_json), row.exception_text or ""])
    ]
    assert in_clear == []


def test_emit_never_raises(database_url, tmp_path):
    handler = DatabaseLogHandler(
        database_url.render_as_string(hide_password=False), spill_path=tmp_path / "s.jsonl"
    )
    logger = make_logger("gf.bad", handler)
    logger.info("%d", "not a number")  # formatting fails inside emit
    handler.close()
    assert handler.dropped == 1


def test_dict_config(database_url, tmp_path):
    logging.config.dictConfig(
        {
            "version": 1,
            "disable_existing_loggers": False,
            "handlers": {
                "db": {
                    "class": "gal_friday.persistence.logwriter.handler.DatabaseLogHandler",
                    "url": database_url.render_as_string(hide_password=False),
                    "batch_size": 10,
                    "flush_interval": 0.01,
                    "spill_path": str(tmp_path / "s.jsonl"),
                    "level": "INFO",
                }
            },
            "loggers": {
                "gf.configured": {"handlers": ["db"], "level": "DEBUG", "propagate": False}
            },
        }
    )
    logger = logging.getLogger("gf.configured")
    logger.debug("filtered out")
    logger.info("kept")
    handler = logger.handlers[0]
    assert isinstance(handler, DatabaseLogHandler)
    handler.close()
    logger.handlers = []
    assert [r.message for r in stored(database_url)] == ["kept"]


def io_threads(handler: DatabaseLogHandler) -> set[int]:
    """The threads in which the handler touches the database or its spill file, from now on."""
    threads: set[int] = set()
    event.listen(handler.engine, "engine_connect", lambda conn: threads.add(threading.get_ident()))
    append = handler.spill.append

    def recorded_append(rows: list) -> None:
        threads.add(threading.get_ident())
        append(rows)

    handler.spill.append = recorded_append  # type: ignore[method-assign]
    return threads


def test_asyncio_callers_are_not_blocked(database_url, tmp_path):
    """The event loop's thread only queues records: every connection and every spill write
    happens in the handler's own threads (no wall-clock bound: a busy machine breaks those)."""
    import asyncio

    handler = DatabaseLogHandler(
        database_url.render_as_string(hide_password=False),
        spill_path=tmp_path / "s.jsonl",
        batch_size=100,
        flush_interval=0.01,
    )
    threads = io_threads(handler)
    logger = make_logger("gf.async", handler)

    async def main() -> int:
        for n in range(2000):
            logger.info("async %d", n)
            if n % 500 == 0:
                await asyncio.sleep(0.05)  # the writer connects and writes meanwhile
        return threading.get_ident()

    loop_thread = asyncio.run(main())
    handler.close()
    assert len(stored(database_url)) == 2000
    assert threads  # the handler did connect: in its writer thread
    assert loop_thread not in threads


@pytest.fixture(autouse=True)
def _no_leftover_handlers() -> None:
    yield
    for name in list(logging.root.manager.loggerDict):
        if name.startswith("gf."):
            logging.getLogger(name).handlers = []
