"""The event store: append system events in batches, read them back by type and time.

Events are append-only. Appending goes through the bulk path and skips event ids
already stored, so re-sending a batch after an uncertain failure adds nothing twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from gal_friday.domain import EventLog
from gal_friday.services.ports import UnitOfWorkFactory


class EventStore:
    """Append-only access to ``event_logs`` through units of work."""

    def __init__(self, uow_factory: UnitOfWorkFactory) -> None:
        self._uow_factory = uow_factory

    def append(self, events: Sequence[EventLog]) -> int:
        """Store a batch in one transaction; returns how many were new."""
        with self._uow_factory() as uow:
            added = uow.events.append_new(events)
            uow.commit()
        return added

    def read(
        self, event_type: str, since: datetime | None = None, until: datetime | None = None
    ) -> list[EventLog]:
        """Events of ``event_type`` that occurred in ``[since, until)``, oldest first."""
        with self._uow_factory() as uow:
            return uow.events.by_type(event_type, since, until)
