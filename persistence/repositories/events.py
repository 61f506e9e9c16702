"""The append-only event log."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import select

from gal_friday.domain import (
    EventLog,
)
from gal_friday.persistence.repositories.base import Repository, between
from gal_friday.persistence.tables import definitions as t


class EventRepository(Repository):
    """The append-only event log: no update, no delete."""

    def append_new(self, events: Sequence[EventLog]) -> int:
        """Append through the bulk path, skipping event ids already stored; how many were new."""
        from gal_friday.persistence.fastpath import bulk  # psycopg: imported when used

        return bulk.insert_events(self.session.connection(), events, skip_duplicates=True)

    def append(self, events: Iterable[EventLog]) -> None:
        """Stage events."""
        self.session.add_all(events)

    def by_type(
        self, event_type: str, since: datetime | None = None, until: datetime | None = None
    ) -> list[EventLog]:
        """Events of one type that occurred in ``[since, until)``, in order."""
        stmt = select(EventLog).where(t.event_logs.c.event_type == event_type)
        stmt = between(stmt, t.event_logs.c.occurred_at, since, until)
        return self._all(stmt.order_by(t.event_logs.c.occurred_at, t.event_logs.c.event_pk))

    def types(self) -> list[str]:
        """Every event type stored."""
        stmt = select(t.event_logs.c.event_type).distinct().order_by(t.event_logs.c.event_type)
        return list(self.session.scalars(stmt))
