"""Events by id, by correlation id (types and period), by type newest first with a limit;
the same from asyncio, and the bulk writes through the asyncio unit of work (issue 24)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import inspect
from sqlalchemy.engine import URL

from gal_friday.domain import EventLog, InvalidValueError
from gal_friday.persistence.bootstrap import async_unit_of_work_factory
from gal_friday.persistence.database import create_async_engine
from gal_friday.persistence.unit_of_work import AsyncUnitOfWork, UnitOfWork
from gal_friday.services.event_store import AsyncEventStore, EventStore
from tests.factories import T0, make_fill, make_order

SIGNAL_ID = uuid.UUID("11111111-2222-3333-4444-555555555555")


def _events() -> list[EventLog]:
    """Ten events: two correlation ids, three types, one minute apart."""
    kinds = ["SIGNAL_PROPOSED", "SIGNAL_APPROVED", "ORDER_SENT", "FILL"]
    return [
        EventLog(
            event_type=kinds[n % 4],
            payload={"n": n},
            source="tests",
            occurred_at=T0 + timedelta(minutes=n),
            correlation_id=SIGNAL_ID if n < 6 else "gf-1a2b3c4d-1733500000000000",
        )
        for n in range(10)
    ]


def _check_reads(store: EventStore, events: list[EventLog]) -> None:
    assert store.get(events[4].event_id).payload == {"n": 4}
    assert store.get(uuid.uuid4()) is None
    by_signal = store.by_correlation(SIGNAL_ID)
    assert [e.payload["n"] for e in by_signal] == [0, 1, 2, 3, 4, 5]
    assert by_signal[0].correlation_id == str(SIGNAL_ID)
    approved = store.by_correlation(str(SIGNAL_ID), event_types=["SIGNAL_APPROVED", "FILL"])
    assert [e.payload["n"] for e in approved] == [1, 3, 5]
    window = store.by_correlation(
        SIGNAL_ID, since=T0 + timedelta(minutes=2), until=T0 + timedelta(minutes=5)
    )
    assert [e.payload["n"] for e in window] == [2, 3, 4]
    newest = store.by_correlation(SIGNAL_ID, newest_first=True, limit=2)
    assert [e.payload["n"] for e in newest] == [5, 4]
    assert [e.payload["n"] for e in store.latest("SIGNAL_PROPOSED", 2)] == [8, 4]
    assert [e.payload["n"] for e in store.read("SIGNAL_PROPOSED", limit=2)] == [0, 4]
    order_events = store.by_correlation("gf-1a2b3c4d-1733500000000000", ["FILL", "ORDER_SENT"])
    assert [(e.event_type, e.payload["n"]) for e in order_events] == [
        ("ORDER_SENT", 6),
        ("FILL", 7),
    ]
    assert store.by_correlation("unknown") == []


def test_events_by_id_correlation_and_type(engine):
    store = EventStore(lambda: UnitOfWork(engine))
    events = _events()
    assert store.append(events) == 10
    _check_reads(store, events)


def test_a_bad_limit_names_it(engine):
    store = EventStore(lambda: UnitOfWork(engine))
    with pytest.raises(InvalidValueError, match="^limit: -1"):
        store.read("FILL", limit=-1)


def test_the_reads_are_indexed(engine):
    indexes = {tuple(ix["column_names"]) for ix in inspect(engine).get_indexes("event_logs")} | {
        tuple(uq["column_names"]) for uq in inspect(engine).get_unique_constraints("event_logs")
    }
    assert ("correlation_id", "occurred_at") in indexes
    assert ("event_type", "occurred_at") in indexes
    assert ("event_id",) in indexes


def test_the_async_event_store_appends_and_reads_on_both_backends(database_url: URL):
    events = _events()

    async def scenario() -> None:
        engine = create_async_engine(database_url)
        try:
            store = AsyncEventStore(async_unit_of_work_factory(engine))
            assert await store.append(events) == 10
            assert await store.append(events[:3]) == 0  # re-sent: nothing twice
            assert (await store.get(events[1].event_id)).payload == {"n": 1}
            found = await store.by_correlation(SIGNAL_ID, ["ORDER_SENT"], newest_first=True)
            assert [e.payload["n"] for e in found] == [2]
            assert [e.payload["n"] for e in await store.latest("FILL", 1)] == [7]
            assert [e.payload["n"] for e in await store.read("FILL")] == [3, 7]
        finally:
            await engine.dispose()

    asyncio.run(scenario())


def test_the_documented_async_run_of_append_new_works_on_both_backends(database_url: URL):
    """The issue's reproduction: it raised a bare AssertionError on PostgreSQL."""
    events = _events()

    async def scenario() -> int:
        engine = create_async_engine(database_url)
        try:
            async with AsyncUnitOfWork(engine) as uow:
                added = await uow.run(lambda r: r.events.append_new(events))
                await uow.commit()
            async with AsyncUnitOfWork(engine) as uow:
                again = await uow.events.append_new(events)
                assert again == 0
            return added
        finally:
            await engine.dispose()

    assert asyncio.run(scenario()) == 10
    _check_reads(EventStore(lambda: UnitOfWork(database_url)), events)


def test_bulk_orders_and_fills_through_the_async_unit_of_work(database_url: URL):
    order = make_order()
    fill = make_fill("A1", quantity_filled=Decimal("0.4"))

    async def scenario() -> None:
        engine = create_async_engine(database_url)
        try:
            async with AsyncUnitOfWork(engine) as uow:
                await uow.orders.add_imported([order])
                fill.order_pk = order.order_pk
                assert await uow.fills.add_bulk([fill]) == 1
                await uow.commit()
            async with AsyncUnitOfWork(engine, read_only=True) as uow:
                stored = await uow.fills.for_order(order.order_pk)
                assert [f.fill_id for f in stored] == ["A1"]
        finally:
            await engine.dispose()

    asyncio.run(scenario())
    with UnitOfWork(database_url) as uow:
        loaded = uow.orders.get_by_client_id(order.client_order_id)
        assert loaded is not None and loaded.order_pk == order.order_pk
