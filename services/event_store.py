"""The event store: append system events in batches; read them by id, by correlation id, by
type and time (``docs/events.md``), from threads (:class:`EventStore`) or asyncio
(:class:`AsyncEventStore`).

Events are append-only. Appending goes through the bulk path and skips event ids
already stored, so re-sending a batch after an uncertain failure adds nothing twice.
An event's ``correlation_id`` (a signal id, an order id, any id) ties it to others:
the execution handler finds the approved signal behind an order with
``by_correlation(order_id, event_types=["SIGNAL_APPROVED"])``. Every read is an
indexed lookup (the event id, the correlation id, the type), newest first on request,
with a limit.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime

from gal_friday.domain import EventLog
from gal_friday.services.ports import AsyncUnitOfWorkFactory, UnitOfWorkFactory

CorrelationId = str | uuid.UUID | int


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

    def get(self, event_id: uuid.UUID) -> EventLog | None:
        """The event with this id, or None."""
        with self._uow_factory() as uow:
            return uow.events.get(event_id)

    def by_correlation(
        self,
        correlation_id: CorrelationId,
        event_types: Iterable[str] | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        *,
        newest_first: bool = False,
        limit: int | None = None,
    ) -> list[EventLog]:
        """Events appended with ``correlation_id``, of ``event_types`` when given, in
        ``[since, until)``; oldest first (or newest first), at most ``limit``."""
        with self._uow_factory() as uow:
            return uow.events.by_correlation(
                correlation_id, event_types, since, until, newest_first=newest_first, limit=limit
            )

    def read(
        self,
        event_type: str,
        since: datetime | None = None,
        until: datetime | None = None,
        *,
        newest_first: bool = False,
        limit: int | None = None,
    ) -> list[EventLog]:
        """Events of ``event_type`` that occurred in ``[since, until)``, oldest first (or
        newest first), at most ``limit``."""
        with self._uow_factory() as uow:
            return uow.events.by_type(
                event_type, since, until, newest_first=newest_first, limit=limit
            )

    def latest(self, event_type: str, limit: int) -> list[EventLog]:
        """The newest ``limit`` events of ``event_type``, newest first."""
        return self.read(event_type, newest_first=True, limit=limit)


class AsyncEventStore:
    """:class:`EventStore` for asyncio code: the same calls, awaited (both backends)."""

    def __init__(self, uow_factory: AsyncUnitOfWorkFactory) -> None:
        self._uow_factory = uow_factory

    async def append(self, events: Sequence[EventLog]) -> int:
        """Store a batch in one transaction; returns how many were new."""
        async with self._uow_factory() as uow:
            added = await uow.run(lambda repositories: repositories.events.append_new(events))
            await uow.commit()
        return added

    async def get(self, event_id: uuid.UUID) -> EventLog | None:
        """The event with this id, or None."""
        async with self._uow_factory() as uow:
            return await uow.run(lambda repositories: repositories.events.get(event_id))

    async def by_correlation(
        self,
        correlation_id: CorrelationId,
        event_types: Iterable[str] | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        *,
        newest_first: bool = False,
        limit: int | None = None,
    ) -> list[EventLog]:
        """:meth:`EventStore.by_correlation`, awaited."""
        async with self._uow_factory() as uow:
            return await uow.run(
                lambda repositories: repositories.events.by_correlation(
                    correlation_id,
                    event_types,
                    since,
                    until,
                    newest_first=newest_first,
                    limit=limit,
                )
            )

    async def read(
        self,
        event_type: str,
        since: datetime | None = None,
        until: datetime | None = None,
        *,
        newest_first: bool = False,
        limit: int | None = None,
    ) -> list[EventLog]:
        """:meth:`EventStore.read`, awaited."""
        async with self._uow_factory() as uow:
            return await uow.run(
                lambda repositories: repositories.events.by_type(
                    event_type, since, until, newest_first=newest_first, limit=limit
                )
            )

    async def latest(self, event_type: str, limit: int) -> list[EventLog]:
        """The newest ``limit`` events of ``event_type``, newest first."""
        return await self.read(event_type, newest_first=True, limit=limit)
