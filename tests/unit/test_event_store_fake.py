"""The in-memory event repository reads as the database does (tests/integration/test_events_lookup.py)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from gal_friday.domain import EventLog, InvalidValueError
from gal_friday.persistence.in_memory import InMemoryUnitOfWork
from gal_friday.services.event_store import EventStore
from tests.factories import T0


def test_the_fake_finds_events_by_id_correlation_and_type_in_order():
    signal_id = uuid.uuid4()
    events = [
        EventLog(
            event_type="FILL" if n % 2 else "SIGNAL",
            payload={"n": n},
            source="tests",
            occurred_at=T0 + timedelta(minutes=n // 2),  # two events per minute
            correlation_id=signal_id if n < 4 else 42,
        )
        for n in range(8)
    ]
    store = EventStore(InMemoryUnitOfWork())
    assert store.append(events) == 8
    assert store.append(events) == 0
    assert store.get(events[5].event_id).payload == {"n": 5}
    assert store.get(uuid.uuid4()) is None
    assert [e.payload["n"] for e in store.by_correlation(signal_id)] == [0, 1, 2, 3]
    assert [e.payload["n"] for e in store.by_correlation("42", ["FILL"])] == [5, 7]
    newest = store.by_correlation(signal_id, newest_first=True, limit=3)
    assert [e.payload["n"] for e in newest] == [3, 2, 1]  # a tie: stored last comes first
    assert [e.payload["n"] for e in store.latest("SIGNAL", 2)] == [6, 4]
    window = store.read("FILL", since=T0 + timedelta(minutes=1), until=T0 + timedelta(minutes=3))
    assert [e.payload["n"] for e in window] == [3, 5]
    with pytest.raises(InvalidValueError, match="^limit: "):
        store.read("FILL", limit=-2)
