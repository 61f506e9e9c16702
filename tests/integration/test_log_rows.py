"""The log writer's rows: what its COPY, its retry/replay statement and SQLite store is exactly
what the mapped path stores for ``Log.from_record``, and a replay stores each record once."""

from __future__ import annotations

import enum
import json
import logging
import sys
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.engine import URL

from gal_friday.domain import Log
from gal_friday.domain.logs import log_values
from gal_friday.persistence.database import create_engine
from gal_friday.persistence.logwriter.handler import DatabaseLogHandler
from gal_friday.persistence.logwriter.rows import LOG_COLUMNS
from gal_friday.persistence.logwriter.spill import SpillFile, database_key
from gal_friday.persistence.tables import definitions as t
from gal_friday.persistence.unit_of_work import UnitOfWork
from tests.support.tcp_proxy import TcpProxy


class _Mode(enum.Enum):
    LIVE = "live"


class _Thing:
    def __repr__(self) -> str:
        return "Thing(token='abcdef12345')"


CONTEXTS: list[dict[str, Any]] = [
    {},
    {"pair": "XRP/USD"},
    {"n": 1, "f": 1.5, "inf": float("inf"), "b": True, "none": None, "big": 2**70},
    {"password": "hunter22", "nested": {"api_key": "k", "list": [1, "two", {"secret": "s"}]}},
    {
        "amount": Decimal("1.50"),
        "when": datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
        "day": date(2026, 1, 2),
        "id": uuid.UUID(int=5),
        "mode": _Mode.LIVE,
    },
    {"text": "tab\there\nnewline \\ backslash \r cr", "unicode": "é ✓ 𝄞", "quote": '"q"'},
    {"obj": _Thing(), "tuple": (1, 2.5), "url": "postgresql://u:pw@host/db", "ctx": {1: "k"}},
]
MESSAGES = [
    "plain %d",
    "tab\tnewline\nbackslash \\ %d",
    "Bearer abcdefghijkl %d",
    "password=hunter22 %d",
    "echoed hunter22 %d",
    "é ✓ %d",
]


def records() -> list[logging.LogRecord]:
    """Records covering context shapes, COPY's special characters, secrets and exceptions."""
    made = []
    for i, context in enumerate(CONTEXTS):
        for j, message in enumerate(MESSAGES):
            made.append(
                logging.makeLogRecord(
                    {
                        "name": f"gf.rows.{i}",
                        "levelno": logging.INFO + j,
                        "levelname": "INFO",
                        "msg": message,
                        "args": (j,),
                        "created": 1_790_000_000.123456 + i * 100 + j,
                        "pathname": "/src/app.py",
                        "filename": "app.py",
                        "lineno": j,
                        "funcName": "f",
                        **context,
                    }
                )
            )
    try:
        raise ValueError("boom password=hunter22")
    except ValueError:
        info = sys.exc_info()
    fields = {"levelno": 40, "levelname": "ERROR", "created": 1_790_000_999.5, "msg": "failed"}
    made.append(logging.makeLogRecord({"name": "gf.rows.e", "exc_info": info, **fields}))
    made.append(logging.makeLogRecord({"name": "gf.rows.t", "exc_text": "token=abc", **fields}))
    return made


def stored(url: URL) -> list[tuple[Any, ...]]:
    """Every stored row but its ``id`` and ``record_id``, in the order written."""
    columns = [t.logs.c[name] for name in LOG_COLUMNS if name != "record_id"]
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(row) for row in conn.execute(select(*columns).order_by(t.logs.c.id))]
    finally:
        engine.dispose()


def clear(url: URL) -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(delete(t.logs))
    finally:
        engine.dispose()


def test_the_rows_are_the_logs_table_without_its_key():
    assert tuple(c.name for c in t.logs.columns if c.name != "id") == LOG_COLUMNS


def test_the_writer_stores_what_the_mapped_path_stores(database_url, tmp_path):
    engine = create_engine(database_url)
    try:
        with UnitOfWork(engine) as uow:
            uow.logs.add_all([Log.from_record(record) for record in records()])
            uow.commit()
    finally:
        engine.dispose()
    mapped = stored(database_url)
    assert len(mapped) == len(records()) == 44
    clear(database_url)

    handler = DatabaseLogHandler(
        database_url.render_as_string(hide_password=False), spill_path=tmp_path / "s.jsonl"
    )
    for record in records():
        handler.handle(record)
    handler.close()
    assert stored(database_url) == mapped


def test_spilled_records_are_replayed_as_the_writer_stores_them(postgres_url, tmp_path):
    handler = DatabaseLogHandler(
        postgres_url.render_as_string(hide_password=False), spill_path=tmp_path / "s.jsonl"
    )
    for record in records():
        handler.handle(record)
    handler.close()
    written = stored(postgres_url)
    clear(postgres_url)

    proxy = TcpProxy(postgres_url.host or "127.0.0.1", postgres_url.port or 5432)
    try:
        via_proxy = postgres_url.set(host="127.0.0.1", port=proxy.port)
        proxy.cut()
        down = DatabaseLogHandler(
            via_proxy.render_as_string(hide_password=False),
            flush_interval=0.02,
            spill_after=0.05,
            max_backoff=0.02,
            spill_path=tmp_path / "spill.jsonl",
        )
        for record in records():
            down.handle(record)
        down.close()
        assert down.spilled == len(records())
        proxy.restore()
        DatabaseLogHandler(
            via_proxy.render_as_string(hide_password=False), spill_path=tmp_path / "spill.jsonl"
        ).close()
    finally:
        proxy.stop()
    assert stored(postgres_url) == written


def test_a_replay_skips_ids_already_stored_and_repeated(database_url, tmp_path):
    rows = [
        log_values(
            {"name": "gf.replay", "levelname": "INFO", "levelno": 20, "created": n}, f"r{n}", None
        )
        for n in range(5)
    ]
    rows[4]["context_json"] = {"n": 4}
    engine = create_engine(database_url)
    try:
        with engine.begin() as conn:
            conn.execute(t.logs.insert(), rows[:2])  # stored before the outage ended
        spill = SpillFile(tmp_path / "spill.jsonl", database_key(engine.url))
    finally:
        engine.dispose()
    spill.append([*rows, rows[3]])  # the last one twice
    handler = DatabaseLogHandler(
        database_url.render_as_string(hide_password=False), spill_path=spill.path
    )
    handler.close()
    assert [row[4] for row in stored(database_url)] == ["r0", "r1", "r2", "r3", "r4"]
    assert stored(database_url)[-1][9] == {"n": 4}
    assert not spill.has_records()


def test_the_writers_json_text_is_json_dumps():
    from gal_friday.persistence.logwriter.handler import _json_text

    for context in [*CONTEXTS[1:3], {"nan": float("nan"), "s": 'é\t\\"', "l": [{}, [-0.0, 1e300]]}]:
        assert _json_text(context) == json.dumps(context)


def test_a_retried_batch_skips_the_rows_its_lost_commit_stored(postgres_url):
    from gal_friday.domain.redaction import redactor
    from gal_friday.persistence.fastpath import bulk
    from gal_friday.persistence.logwriter.handler import _json_text
    from gal_friday.persistence.logwriter.rows import log_row, record_ids

    fields = {"name": "gf.retry", "levelname": "INFO", "levelno": 20, "created": 1.5}
    ids = record_ids(3)
    rows = [
        log_row({**fields, "n": n}, f"r{n}", None, redactor(), _json_text, ids[n]) for n in range(3)
    ]
    engine = create_engine(postgres_url)
    try:
        with engine.begin() as conn:
            bulk.stream_rows(conn, t.logs, LOG_COLUMNS, rows[:2])  # committed, answer lost
        with engine.begin() as conn:
            assert bulk.insert_new_rows(conn, t.logs, LOG_COLUMNS, rows, ("record_id",)) == 1
    finally:
        engine.dispose()
    assert [(row[4], row[9]) for row in stored(postgres_url)] == [
        ("r0", {"n": 0}),
        ("r1", {"n": 1}),
        ("r2", {"n": 2}),
    ]
