"""Rows of the prunable tables (logs, system_logs, event_logs), old and new, written in bulk."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, func, insert, select

from gal_friday.persistence.tables import definitions as t

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def _log(at: datetime, message: str) -> dict:
    return {
        "record_id": uuid.uuid4(),
        "timestamp": at,
        "logger_name": "bot",
        "level_name": "INFO",
        "level_no": 20,
        "message": message,
    }


def _system_log(at: datetime, message: str) -> dict:
    return {
        "log_timestamp": at,
        "source_module": "bot",
        "log_level": "INFO",
        "message": message,
    }


def _event(at: datetime, message: str) -> dict:
    return {
        "event_id": uuid.uuid4(),
        "event_type": "tick",
        "payload": {"m": message},
        "occurred_at": at,
        "source": "bot",
    }


ROWS = {"logs": _log, "system_logs": _system_log, "event_logs": _event}
TABLES = {"logs": t.logs, "system_logs": t.system_logs, "event_logs": t.event_logs}


def write(engine: Engine, table: str, count: int, age: timedelta, label: str) -> None:
    """``count`` rows of ``table`` written ``age`` before :data:`NOW`, messages ``label-N``."""
    at = NOW - age
    rows = [ROWS[table](at + timedelta(seconds=n % 60), f"{label}-{n}") for n in range(count)]
    with engine.begin() as connection:
        for start in range(0, len(rows), 2_000):
            connection.execute(insert(TABLES[table]), rows[start : start + 2_000])


def count(engine: Engine, table: str) -> int:
    with engine.connect() as connection:
        return int(connection.scalar(select(func.count()).select_from(TABLES[table])) or 0)


def oldest(engine: Engine, table: str) -> datetime | None:
    column = {"logs": "timestamp", "system_logs": "log_timestamp", "event_logs": "occurred_at"}
    target = TABLES[table]
    with engine.connect() as connection:
        return connection.scalar(select(func.min(target.c[column[table]])))
