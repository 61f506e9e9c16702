"""Log records, system logs and events: captured fields, JSON-safe context, redaction."""

from __future__ import annotations

import inspect
import json
import logging
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from gal_friday.domain import EventLog, InvalidValueError, Log, Side, SystemLog, json_safe

LOGGER = "gf.tests.logs"


def _record(msg: str = "order %s failed", args: Any = ("X1",), exc: bool = True, **extra):
    logger = logging.getLogger(LOGGER)
    info = None
    if exc:
        try:
            raise ValueError("boom")
        except ValueError:
            info = sys.exc_info()
    return logger.makeRecord(
        logger.name, logging.ERROR, "/src/trader.py", 42, msg, args, info, func="place", extra=extra
    )


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def captured() -> Iterator[tuple[logging.Logger, _Capture]]:
    logger = logging.getLogger(f"{LOGGER}.captured")
    handler = _Capture()
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    yield logger, handler
    logger.removeHandler(handler)


def assert_json(value: Any) -> None:
    """Strict JSON: no NaN or infinities, nothing json.dumps cannot write."""
    json.dumps(value, allow_nan=False)


# -- Log.from_record --------------------------------------------------------------------------


def test_from_record_captures_every_column():
    log = Log.from_record(_record(order_qty=Decimal("1.5"), at=datetime(2024, 1, 1, tzinfo=UTC)))
    assert log.logger_name == LOGGER
    assert (log.level_name, log.level_no) == ("ERROR", logging.ERROR)
    assert log.message == "order X1 failed"
    assert (log.pathname, log.filename, log.lineno, log.func_name) == (
        "/src/trader.py",
        "trader.py",
        42,
        "place",
    )
    assert log.exception_text is not None
    assert log.exception_text.startswith("Traceback (most recent call last):")
    assert log.exception_text.endswith("ValueError: boom")
    assert log.context_json == {"order_qty": "1.5", "at": "2024-01-01T00:00:00+00:00"}
    assert log.timestamp.tzinfo is UTC
    assert isinstance(log.record_id, uuid.UUID)
    assert_json(log.context_json)


def test_from_a_real_logging_call(captured):
    logger, handler = captured

    def place_order() -> int:
        line = inspect.currentframe().f_lineno + 1  # type: ignore[union-attr]
        logger.warning("qty %s at %s", Decimal("0.1"), "kraken", extra={"pair": "BTC/USD"})
        return line

    line = place_order()
    log = Log.from_record(handler.records[0])
    assert (log.level_name, log.level_no) == ("WARNING", logging.WARNING)
    assert log.logger_name == f"{LOGGER}.captured"
    assert log.message == "qty 0.1 at kraken"
    assert log.pathname == __file__
    assert log.filename == "test_logs.py"
    assert (log.func_name, log.lineno) == ("place_order", line)
    assert log.context_json == {"pair": "BTC/USD"}
    assert log.exception_text is None


def test_logger_exception_keeps_the_stack(captured):
    logger, handler = captured
    try:
        {}["missing"]
    except KeyError:
        logger.exception("lookup failed")
    log = Log.from_record(handler.records[0])
    assert log.level_name == "ERROR"
    assert "KeyError: 'missing'" in (log.exception_text or "")
    assert "test_logger_exception_keeps_the_stack" in (log.exception_text or "")


def test_the_timestamp_is_the_records_creation_time_in_utc():
    record = _record(exc=False)
    record.created = 1704067200.25
    assert Log.from_record(record).timestamp == datetime(2024, 1, 1, 0, 0, 0, 250000, tzinfo=UTC)


def test_a_message_with_mapping_arguments():
    record = _record("%(side)s %(qty)s", ({"side": "BUY", "qty": Decimal("2")},), exc=False)
    assert Log.from_record(record).message == "BUY 2"


def test_without_extra_or_exception_both_are_none():
    log = Log.from_record(_record(exc=False))
    assert log.context_json is None
    assert log.exception_text is None


def test_an_already_formatted_exception_text_is_kept():
    record = _record(exc=False)
    record.exc_text = "Traceback: formatted elsewhere"
    assert Log.from_record(record).exception_text == "Traceback: formatted elsewhere"


def test_standard_record_attributes_never_leak_into_the_context():
    record = _record(trade_id="T1")
    logging.Formatter("%(asctime)s %(message)s").format(record)  # adds message and asctime
    assert Log.from_record(record).context_json == {"trade_id": "T1"}


def test_context_values_are_made_json_safe():
    ident = uuid.UUID("12345678-1234-5678-1234-567812345678")
    log = Log.from_record(
        _record(
            exc=False,
            qty=Decimal("0.000000000000000001"),
            when=datetime(2024, 1, 1, 2, tzinfo=timezone(timedelta(hours=2))),
            day=date(2024, 1, 2),
            ident=ident,
            side=Side.SELL,
            legs=(Decimal("1"), {Decimal("2")}),
            ratio=float("nan"),
            thing=object.__new__(_Opaque),
        )
    )
    assert log.context_json == {
        "qty": "0.000000000000000001",
        "when": "2024-01-01T00:00:00+00:00",
        "day": "2024-01-02",
        "ident": "12345678-1234-5678-1234-567812345678",
        "side": "SELL",
        "legs": ["1", ["2"]],
        "ratio": "nan",
        "thing": "<opaque>",
    }
    assert_json(log.context_json)


class _Opaque:
    def __repr__(self) -> str:
        return "<opaque>"


def test_secrets_are_redacted_at_any_depth():
    log = Log.from_record(
        _record(
            api_key="k",
            creds={"Password": "p", "user": "u", "nested": {"SECRET": {"deep": 1}}},
            items=[{"secret": "s"}, ({"api_key": "k2"},)],
        )
    )
    assert log.context_json == {
        "api_key": "***",
        "creds": {"Password": "***", "user": "u", "nested": {"SECRET": "***"}},
        "items": [{"secret": "***"}, [{"api_key": "***"}]],
    }
    assert "k2" not in json.dumps(log.context_json)


def test_other_keys_can_be_redacted():
    log = Log.from_record(_record(exc=False, token="t", password="p"), redact_keys=("Token",))
    assert log.context_json == {"token": "***", "password": "p"}


def test_cycles_and_deep_nesting_do_not_crash():
    cyclic: dict[str, Any] = {"a": 1}
    cyclic["self"] = cyclic
    deep: Any = "bottom"
    for _ in range(50):
        deep = {"d": deep}
    log = Log.from_record(_record(exc=False, cyclic=cyclic, deep=deep))
    assert log.context_json is not None
    assert_json(log.context_json)
    assert log.context_json["cyclic"]["a"] == 1


# -- json_safe --------------------------------------------------------------------------------


def test_json_safe_keys_become_strings_and_floats_stay_when_finite():
    assert json_safe({1: 0.5, None: float("inf")}) == {"1": 0.5, "None": "inf"}


# -- SystemLog --------------------------------------------------------------------------------


def test_system_log_create_normalises_and_redacts():
    signal = uuid.uuid4()
    entry = SystemLog.create(
        "risk",
        "audit",
        "limit raised",
        context={"limit": Decimal("0.3"), "creds": {"password": "x"}},
        trading_pair="eth/usd",
        signal_id=str(signal),
        order_pk=3,
    )
    assert (entry.source_module, entry.log_level, entry.message) == (
        "risk",
        "AUDIT",
        "limit raised",
    )
    assert entry.trading_pair == "ETH/USD"
    assert entry.signal_id == signal
    assert entry.order_pk == 3
    assert entry.context == {"limit": "0.3", "creds": {"password": "***"}}
    assert entry.log_timestamp.tzinfo is UTC
    assert entry.exception_type is None
    assert entry.stack_trace is None


def test_system_log_without_context():
    assert SystemLog.create("risk", "INFO", "ok").context is None


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"source_module": " "}, "source_module"),
        ({"log_level": ""}, "log_level"),
        ({"trading_pair": "ETHUSD"}, "trading_pair"),
        ({"signal_id": "not-a-uuid"}, "signal_id"),
        ({"log_timestamp": datetime(2024, 1, 1)}, "log_timestamp"),
    ],
)
def test_system_log_fields_are_checked(kwargs, field):
    fields = {"source_module": "risk", "log_level": "INFO", "message": "m", **kwargs}
    with pytest.raises(InvalidValueError, match=f"^{field}: "):
        SystemLog(**fields)


class BoomError(RuntimeError):
    """An error defined here, so its qualified name is known."""


def _explode() -> None:
    raise BoomError("disk on fire")


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


def test_from_exception_names_the_module_and_walks_the_whole_chain():
    try:
        try:
            _explode()
        except BoomError as inner:
            raise ValueError("order failed") from inner
    except ValueError as exc:
        entry = SystemLog.from_exception("execution", "failed", exc, log_level="critical")
    assert entry.exception_type == "builtins.ValueError"
    assert entry.log_level == "CRITICAL"
    trace = entry.stack_trace or ""
    assert trace.startswith("Traceback (most recent call last):")
    assert "in _explode" in trace
    assert f"{__name__}.BoomError: disk on fire" in trace
    assert "direct cause of the following exception" in trace
    assert trace.endswith("ValueError: order failed")


def test_from_exception_of_a_custom_error():
    try:
        _explode()
    except BoomError as exc:
        entry = SystemLog.from_exception("execution", "failed", exc)
    assert entry.exception_type == f"{__name__}.BoomError"
    assert "in _explode" in (entry.stack_trace or "")


def test_from_an_exception_that_was_never_raised():
    entry = SystemLog.from_exception("execution", "failed", ValueError("never raised"))
    assert entry.stack_trace == "ValueError: never raised"


# -- EventLog ---------------------------------------------------------------------------------


def test_event_payload_is_json_safe_and_ids_are_uuids():
    event = EventLog(
        event_type="FILL", payload={"q": Decimal("0.1"), "id": uuid.UUID(int=1)}, source="tests"
    )
    assert event.payload == {"q": "0.1", "id": str(uuid.UUID(int=1))}
    assert isinstance(event.event_id, uuid.UUID)
    assert event.event_id != EventLog(event_type="FILL", payload={}, source="tests").event_id
    assert event.occurred_at.tzinfo is UTC
    assert_json(event.payload)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"event_type": ""}, "event_type"),
        ({"payload": ["x"]}, "payload"),
        ({"source": None}, "source"),
        ({"occurred_at": datetime(2024, 1, 1)}, "occurred_at"),
        ({"event_id": "x"}, "event_id"),
    ],
)
def test_event_fields_are_checked(kwargs, field):
    fields = {"event_type": "FILL", "payload": {}, "source": "tests", **kwargs}
    with pytest.raises(InvalidValueError, match=f"^{field}: "):
        EventLog(**fields)


def test_keys_that_contain_a_secret_word_are_redacted_too():
    from gal_friday.domain import json_safe

    context = {
        "kraken_api_secret": "s",
        "DB_PASSWORD": "p",
        "exchange_api_key": "k",
        "secretive_strategy": "x",
        "quantity": "1",
    }
    assert json_safe(context) == {
        "kraken_api_secret": "***",
        "DB_PASSWORD": "***",
        "exchange_api_key": "***",
        "secretive_strategy": "***",
        "quantity": "1",
    }
