"""The event store and the system-log writer on both backends."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from gal_friday.domain import EventLog
from gal_friday.persistence.unit_of_work import UnitOfWork
from gal_friday.services.event_store import EventStore
from gal_friday.services.system_log import record_system_event
from tests.factories import T0


def test_events_append_in_batches_and_read_by_type_and_time(engine):
    store = EventStore(lambda: UnitOfWork(engine))
    events = [
        EventLog(
            event_type="FILL" if n % 2 else "SIGNAL",
            payload={"n": n, "q": Decimal(n)},
            source="tests",
            occurred_at=T0 + timedelta(minutes=n),
        )
        for n in range(10)
    ]
    assert store.append(events) == 10
    assert store.append(events[:3]) == 0  # a re-sent batch adds nothing
    fills = store.read("FILL", since=T0 + timedelta(minutes=3), until=T0 + timedelta(minutes=9))
    assert [e.payload["n"] for e in fills] == [3, 5, 7]
    assert fills[0].payload["q"] == "3"


def test_system_events_keep_their_context_links_and_stack(engine):
    try:
        raise TimeoutError("exchange did not answer")
    except TimeoutError as exc:
        record_system_event(
            lambda: UnitOfWork(engine),
            "execution",
            "error",
            "order lost",
            exc=exc,
            context={"secret": "x", "attempt": 3},
            trading_pair="XRP/USD",
            order_pk=12,
        )
    record_system_event(lambda: UnitOfWork(engine), "risk", "info", "ok")
    with UnitOfWork(engine) as uow:
        (entry,) = uow.system_logs.between(source_module="execution")
        assert entry.exception_type == "builtins.TimeoutError"
        assert "exchange did not answer" in entry.stack_trace
        assert entry.context == {"secret": "***", "attempt": 3}
        assert (entry.trading_pair, entry.order_pk, entry.log_level) == ("XRP/USD", 12, "ERROR")
        assert len(uow.system_logs.between(log_level="info")) == 1
