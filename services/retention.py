"""Retention: delete old rows of ``logs``, ``system_logs`` and ``event_logs`` while the
application keeps writing (``docs/database.md``, "Retention").

:func:`prune` deletes rows older than an age per table, ``batch_size`` rows per
transaction, by primary-key ranges: each transaction is short and touches only old rows,
so the bot's writes never wait long. Without an age it refuses to run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from gal_friday.domain.errors import InputError
from gal_friday.persistence.errors import ConcurrencyError
from gal_friday.services.ports import RetentionUnitOfWorkFactory

DEFAULT_BATCH_SIZE = 5_000
#: How often one batch is tried when another writer holds the lock (SQLite: past busy_timeout).
ATTEMPTS = 3
_AGE = re.compile(r"\s*(\d+)\s*([smhdw])\s*")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


class RetentionError(InputError):
    """An age or batch size that cannot be used, or no age at all (names the option)."""


@dataclass(frozen=True)
class Pruned:
    """What one table lost: rows with a time before ``before``."""

    table: str
    before: datetime
    deleted: int
    batches: int


def parse_age(value: str | timedelta, option: str = "age") -> timedelta:
    """``90d`` as 90 days (units ``s``, ``m``, ``h``, ``d``, ``w``); a positive age only."""
    if isinstance(value, timedelta):
        age = value
    else:
        match = _AGE.fullmatch(value)
        if match is None:
            raise RetentionError(
                f"{option}: {value!r} is not an age; give a number and a unit, e.g. 90d"
                " (s, m, h, d or w)"
            )
        age = timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
    if age <= timedelta(0):
        raise RetentionError(f"{option}: the age must be more than 0 (got {value!r})")
    return age


def _delete_batch(
    uow_factory: RetentionUnitOfWorkFactory,
    table: str,
    before: datetime,
    after: int | None,
    batch_size: int,
) -> tuple[int, int | None]:
    attempt = 1
    while True:
        try:
            with uow_factory() as uow:
                deleted, last = uow.retention.delete_older(table, before, after, batch_size)
                uow.commit()
            return deleted, last
        except ConcurrencyError:
            if attempt >= ATTEMPTS:
                raise
            attempt += 1


def prune_table(
    uow_factory: RetentionUnitOfWorkFactory,
    table: str,
    before: datetime,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> Pruned:
    """Delete the rows of ``table`` older than ``before``, one transaction per batch."""
    deleted = batches = 0
    after: int | None = None
    while True:
        count, last = _delete_batch(uow_factory, table, before, after, batch_size)
        if last is None:
            return Pruned(table, before, deleted, batches)
        deleted, batches, after = deleted + count, batches + 1, last


def prune(
    uow_factory: RetentionUnitOfWorkFactory,
    *,
    logs: str | timedelta | None = None,
    system_logs: str | timedelta | None = None,
    events: str | timedelta | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    now: datetime | None = None,
) -> list[Pruned]:
    """Delete ``logs``, ``system_logs`` and ``event_logs`` rows older than their age.

    Ages are ``timedelta``s or text such as ``"90d"``; a table without an age is left alone,
    and without any age nothing runs (:class:`RetentionError`). Ages count back from ``now``
    (default: the current UTC time).
    """
    ages = {"logs": logs, "system_logs": system_logs, "event_logs": events}
    options = {"logs": "logs", "system_logs": "system_logs", "event_logs": "events"}
    if all(age is None for age in ages.values()):
        raise RetentionError(
            "give at least one age (logs, system_logs or events, e.g. 90d): pruning without"
            " one would delete every row"
        )
    if batch_size < 1:
        raise RetentionError(f"batch_size: must be at least 1 (got {batch_size})")
    moment = now or datetime.now(UTC)
    if moment.tzinfo is None:
        raise RetentionError("now: must be timezone-aware (UTC)")
    cutoffs = {
        table: moment - parse_age(age, options[table])
        for table, age in ages.items()
        if age is not None
    }
    return [prune_table(uow_factory, name, before, batch_size) for name, before in cutoffs.items()]
