"""Retention (issue 24, item 7): old rows of logs, system_logs and event_logs deleted in small
batches while the bot writes; nothing recent and no concurrent write is lost (both backends)."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, select

from gal_friday.persistence.bootstrap import unit_of_work_factory
from gal_friday.persistence.errors import ConcurrencyError
from gal_friday.persistence.tables import definitions as t
from gal_friday.services.retention import RetentionError, prune
from tests.support import retention_rows as rows
from tests.support.retention_rows import NOW

DAY = timedelta(days=1)


def test_prune_deletes_only_rows_older_than_each_age_batch_by_batch(engine):
    rows.write(engine, "logs", 2_500, 100 * DAY, "old")
    rows.write(engine, "logs", 300, 10 * DAY, "recent")
    rows.write(engine, "system_logs", 1_200, 91 * DAY, "old")
    rows.write(engine, "system_logs", 40, 89 * DAY, "recent")
    rows.write(engine, "event_logs", 700, 400 * DAY, "old")
    rows.write(engine, "event_logs", 50, 100 * DAY, "kept")  # older than 90d, younger than 365d
    pruned = prune(
        unit_of_work_factory(engine),
        logs="90d",
        system_logs="90d",
        events="365d",
        batch_size=1_000,
        now=NOW,
    )
    assert [(p.table, p.deleted, p.batches) for p in pruned] == [
        ("logs", 2_500, 3),
        ("system_logs", 1_200, 2),
        ("event_logs", 700, 1),
    ]
    assert [p.before for p in pruned] == [NOW - 90 * DAY, NOW - 90 * DAY, NOW - 365 * DAY]
    assert {table: rows.count(engine, table) for table in rows.TABLES} == {
        "logs": 300,
        "system_logs": 40,
        "event_logs": 50,
    }
    assert rows.oldest(engine, "logs") >= NOW - 90 * DAY


def test_a_table_without_an_age_is_left_alone_and_no_age_at_all_is_refused(engine):
    rows.write(engine, "logs", 10, 100 * DAY, "old")
    rows.write(engine, "event_logs", 10, 400 * DAY, "old")
    with pytest.raises(RetentionError, match="at least one age"):
        prune(unit_of_work_factory(engine), now=NOW)
    pruned = prune(unit_of_work_factory(engine), events=timedelta(days=365), now=NOW)
    assert [(p.table, p.deleted) for p in pruned] == [("event_logs", 10)]
    assert rows.count(engine, "logs") == 10


class Bot(threading.Thread):
    """Writes one log record per transaction, as the bot's log handler would, until stopped."""

    def __init__(self, engine) -> None:
        super().__init__(daemon=True)
        self.engine = engine
        self.stored: list[str] = []
        self.progress = threading.Condition()
        self.stop = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                message = f"live-{uuid.uuid4()}"
                row = {
                    "record_id": uuid.uuid4(),
                    "timestamp": datetime.now(UTC),
                    "logger_name": "bot",
                    "level_name": "INFO",
                    "level_no": 20,
                    "message": message,
                }
                try:
                    with self.engine.begin() as connection:
                        connection.execute(insert(t.logs), [row])
                except ConcurrencyError:
                    continue  # SQLite: the lock was busy past the timeout; try again
                with self.progress:
                    self.stored.append(message)
                    self.progress.notify_all()
        except BaseException as exc:  # reported by the test
            self.error = exc

    def wait_for_more(self) -> None:
        """Block until the bot has committed one more record than now."""
        with self.progress:
            seen = len(self.stored)
            while len(self.stored) == seen and self.error is None:
                self.progress.wait()


def test_prune_while_the_bot_writes_loses_no_write_and_deletes_only_old_rows(engine):
    rows.write(engine, "logs", 6_000, 120 * DAY, "old")
    rows.write(engine, "logs", 100, 30 * DAY, "recent")
    bot = Bot(engine)
    factory = unit_of_work_factory(engine)
    batches = 0

    def interleaved():
        nonlocal batches
        batches += 1
        bot.wait_for_more()  # every batch runs while the bot is committing records
        return factory()

    bot.start()
    try:
        pruned = prune(interleaved, logs="90d", batch_size=500, now=NOW)
    finally:
        bot.stop.set()
        bot.join()
    assert bot.error is None
    assert batches >= 13  # 12 batches of 500, then the one that finds nothing left
    assert [(p.table, p.deleted, p.batches) for p in pruned] == [("logs", 6_000, 12)]
    with engine.connect() as connection:
        messages = set(connection.scalars(select(t.logs.c.message)))
    live = set(bot.stored)
    assert len(live) >= batches
    assert live <= messages  # no write of the bot was lost
    assert messages - live == {f"recent-{n}" for n in range(100)}  # only old rows went
