"""Deleting old rows of the tables that grow fastest, one small primary-key range at a time.

A batch finds the next ``batch_size`` old rows by primary key after the last one it deleted,
then deletes that key range (still only rows older than the cutoff). Rows the application
writes meanwhile get higher keys and recent times, so a batch never waits on them nor
touches them; each batch is its own short transaction (``docs/database.md``, "Retention").
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Table, delete, func, select

from gal_friday.persistence.repositories.base import Repository
from gal_friday.persistence.tables import definitions as t

#: Each prunable table with its primary key and the time a row's age is counted from.
PRUNABLE: dict[str, tuple[Table, Any, Any]] = {
    "logs": (t.logs, t.logs.c.id, t.logs.c.timestamp),
    "system_logs": (t.system_logs, t.system_logs.c.log_pk, t.system_logs.c.log_timestamp),
    "event_logs": (t.event_logs, t.event_logs.c.event_pk, t.event_logs.c.occurred_at),
}


class RetentionRepository(Repository):
    """Old rows of ``logs``, ``system_logs`` and ``event_logs``, deleted in key ranges."""

    def delete_older(
        self, table: str, before: datetime, after_key: int | None, batch_size: int
    ) -> tuple[int, int | None]:
        """Delete up to ``batch_size`` rows of ``table`` older than ``before`` whose key is above
        ``after_key`` (None: from the first); returns how many were deleted and the range's last
        key (None: no old row is left above ``after_key``)."""
        target, key, time = PRUNABLE[table]
        above = [key > after_key] if after_key is not None else []
        next_keys = (
            select(key.label("k"))
            .where(*above, time < before)
            .order_by(key)
            .limit(batch_size)
            .subquery()
        )
        upper = self.session.execute(select(func.max(next_keys.c.k))).scalar_one_or_none()
        if upper is None:
            return 0, None
        result = self.session.execute(
            delete(target).where(*above, key <= upper, time < before),
            execution_options={"synchronize_session": False},
        )
        return int(getattr(result, "rowcount", 0) or 0), int(upper)
