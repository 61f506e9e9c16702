"""The append-only event log: append in batches, read by id, by correlation id, by type."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select

from gal_friday.domain import EventLog
from gal_friday.domain.errors import InvalidValueError
from gal_friday.persistence.repositories.base import Repository, between
from gal_friday.persistence.tables import definitions as t

_events = t.event_logs


def _ordered(stmt: Select[Any], newest_first: bool, limit: int | None) -> Select[Any]:
    """``stmt`` oldest first (or newest first), at most ``limit`` events."""
    if newest_first:
        stmt = stmt.order_by(_events.c.occurred_at.desc(), _events.c.event_pk.desc())
    else:
        stmt = stmt.order_by(_events.c.occurred_at, _events.c.event_pk)
    if limit is not None:
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
            raise InvalidValueError("limit", f"{limit!r} is not a count of events (an int >= 0)")
        stmt = stmt.limit(limit)
    return stmt


class EventRepository(Repository):
    """The append-only event log: no update, no delete. Every read uses an index:
    ``event_id`` (unique), ``(event_type, occurred_at)``, ``(correlation_id, occurred_at)``."""

    def append_new(self, events: Sequence[EventLog]) -> int:
        """Append through the bulk path, skipping event ids already stored; how many were new."""
        from gal_friday.persistence.fastpath import bulk  # psycopg: imported when used

        return bulk.insert_events(self.session.connection(), events, skip_duplicates=True)

    def append(self, events: Iterable[EventLog]) -> None:
        """Stage events."""
        self.session.add_all(events)

    def get(self, event_id: uuid.UUID) -> EventLog | None:
        """The event with this id, or None."""
        stmt = select(EventLog).where(_events.c.event_id == event_id)
        result: EventLog | None = self.session.scalars(stmt).one_or_none()
        return result

    def by_type(
        self,
        event_type: str,
        since: datetime | None = None,
        until: datetime | None = None,
        *,
        newest_first: bool = False,
        limit: int | None = None,
    ) -> list[EventLog]:
        """Events of one type that occurred in ``[since, until)``, oldest first (or newest
        first), at most ``limit`` of them."""
        stmt = select(EventLog).where(_events.c.event_type == event_type)
        stmt = between(stmt, _events.c.occurred_at, since, until)
        return self._all(_ordered(stmt, newest_first, limit))

    def by_correlation(
        self,
        correlation_id: str | uuid.UUID | int,
        event_types: Iterable[str] | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        *,
        newest_first: bool = False,
        limit: int | None = None,
    ) -> list[EventLog]:
        """Events appended with this correlation id (a signal id, an order id, any id; given
        as text, a UUID or an int), of ``event_types`` only when given, that occurred in
        ``[since, until)``; oldest first (or newest first), at most ``limit``."""
        stmt = select(EventLog).where(_events.c.correlation_id == str(correlation_id))
        if event_types is not None:
            stmt = stmt.where(_events.c.event_type.in_(list(event_types)))
        stmt = between(stmt, _events.c.occurred_at, since, until)
        return self._all(_ordered(stmt, newest_first, limit))

    def types(self) -> list[str]:
        """Every event type stored."""
        stmt = select(_events.c.event_type).distinct().order_by(_events.c.event_type)
        return list(self.session.scalars(stmt))
