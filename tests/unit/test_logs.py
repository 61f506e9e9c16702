"""Log records, system logs and events: captured fields, JSON-safe context, redaction."""

from __future__ import annotations

import json
import logging
import sys
import uuid
from datetime import UTC, datetime
from decimal import Decimal

from domain import EventLog, Log, SystemLog


def _record(**extra):
    logger = logging.getLogger("gf.tests.logs")
    try:
        raise ValueError("boom")
    except ValueError:
        info = sys.exc_info()
    record = logger.makeRecord(
        logger.name,
        logging.ERROR,
        "/src/trader.py",
        42,
        "order %s failed",
        ("X1",),
        info,
        func="place",
        extra=extra,
    )
    return record


def test_from_record_captures_every_column():
    log = Log.from_record(_record(order_qty=Decimal("1.5"), at=datetime(2024, 1, 1, tzinfo=UTC)))
    assert log.logger_name == "gf.tests.logs"
    assert (log.level_name, log.level_no) == ("ERROR", logging.ERROR)
    assert log.message == "order X1 failed"
    assert (log.pathname, log.filename, log.lineno, log.func_name) == (
        "/src/trader.py",
        "trader.py",
        42,
        "place",
    )
    assert "ValueError: boom" in (log.exception_text or "")
    assert log.context_json == {"order_qty": "1.5", "at": "2024-01-01T00:00:00+00:00"}
    assert log.timestamp.tzinfo is UTC
    json.dumps(log.context_json)


def test_secrets_are_redacted_at_any_depth():
    log = Log.from_record(
        _record(api_key="k", creds={"Password": "p", "user": "u"}, items=[{"secret": "s"}])
    )
    assert log.context_json == {
        "api_key": "***",
        "creds": {"Password": "***", "user": "u"},
        "items": [{"secret": "***"}],
    }


def test_system_log_from_exception_captures_type_and_stack():
    try:
        raise KeyError("missing")
    except KeyError as exc:
        entry = SystemLog.from_exception(
            "execution",
            "lost order",
            exc,
            trading_pair="btc/usd",
            order_pk=7,
            context={"password": "x", "n": Decimal(2)},
        )
    assert entry.exception_type == "builtins.KeyError"
    assert "KeyError: 'missing'" in (entry.stack_trace or "")
    assert entry.log_level == "ERROR"
    assert entry.trading_pair == "BTC/USD"
    assert entry.context == {"password": "***", "n": "2"}


def test_event_payload_is_json_safe_and_ids_are_uuids():
    event = EventLog(
        event_type="FILL", payload={"q": Decimal("0.1"), "id": uuid.UUID(int=1)}, source="tests"
    )
    assert event.payload == {"q": "0.1", "id": str(uuid.UUID(int=1))}
    assert isinstance(event.event_id, uuid.UUID)
