"""Log records, subsystem logs and the append-only event log.

Context dictionaries are made JSON-safe on the way in (:func:`json_safe`):
``Decimal`` becomes its string, datetimes ISO 8601, UUIDs strings, enums their
value, anything else its ``repr``; keys listed in ``redact_keys`` have their
values replaced by ``"***"`` at any depth: a key is secret when it contains one of
those words, in any case (``password``, ``DB_PASSWORD``, ``kraken_api_secret``).
"""

from __future__ import annotations

import logging
import math
import traceback
import uuid
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

import attrs

from gal_friday.domain import values as v
from gal_friday.domain.errors import InvalidValueError

REDACTED = "***"
DEFAULT_SECRET_KEYS = frozenset({"password", "api_key", "secret"})

# Attributes every LogRecord has; whatever else a record carries came from ``extra=``.
_STANDARD_RECORD_ATTRS = frozenset(
    vars(logging.LogRecord("", 0, "", 0, "", None, None)).keys() | {"message", "asctime"}
)


def json_safe(value: Any, redact_keys: Iterable[str] = DEFAULT_SECRET_KEYS) -> Any:
    """A copy of ``value`` that ``json.dumps`` accepts, with secret keys redacted."""
    secrets = {key.lower() for key in redact_keys}
    return _safe(value, secrets, depth=0)


def _is_secret(key: str, secrets: set[str]) -> bool:
    """True when the key contains a secret word (``kraken_api_secret``, ``DB_PASSWORD``)."""
    lowered = key.lower()
    return any(word in lowered for word in secrets)


def _safe(value: Any, secrets: set[str], depth: int) -> Any:
    if depth > 20:
        return repr(value)
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, Enum):
        return _safe(value.value, secrets, depth + 1)
    if isinstance(value, (Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {
            str(k): REDACTED if _is_secret(str(k), secrets) else _safe(item, secrets, depth + 1)
            for k, item in value.items()
        }
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_safe(item, secrets, depth + 1) for item in value]
    return repr(value)


def json_object(value: object, field: str) -> dict[str, Any]:
    """A JSON-safe copy of a mapping (nothing redacted)."""
    if not isinstance(value, Mapping):
        raise InvalidValueError(field, f"must be a mapping, not {type(value).__name__}")
    result: dict[str, Any] = json_safe(value, ())
    return result


def record_context(record: logging.LogRecord) -> dict[str, Any]:
    """The ``extra=`` fields of a log record (everything that is not a standard attribute)."""
    return {k: val for k, val in vars(record).items() if k not in _STANDARD_RECORD_ATTRS}


def _format_exception(record: logging.LogRecord) -> str | None:
    if record.exc_info and record.exc_info[0] is not None:
        return "".join(traceback.format_exception(*record.exc_info)).rstrip()
    if record.exc_text:
        return record.exc_text
    return None


@attrs.define(slots=False, eq=False, kw_only=True, field_transformer=v.apply_checks)
class Log:
    """One application log record as stored in the ``logs`` table.

    ``record_id`` identifies the record across retries and replays, so a writer
    that sends the same record twice stores it once.
    """

    timestamp: datetime = attrs.field(metadata=v.check(v.utc))
    logger_name: str
    level_name: str
    level_no: int
    message: str
    pathname: str | None = None
    filename: str | None = None
    lineno: int | None = None
    func_name: str | None = None
    context_json: dict[str, Any] | None = None
    exception_text: str | None = None
    record_id: uuid.UUID = attrs.field(factory=uuid.uuid4, metadata=v.check(v.to_uuid))
    id: int | None = None

    @classmethod
    def from_record(
        cls, record: logging.LogRecord, redact_keys: Iterable[str] = DEFAULT_SECRET_KEYS
    ) -> Log:
        """Capture a ``logging.LogRecord``: level, logger, location, message, exception, context."""
        context = json_safe(record_context(record), redact_keys)
        return cls(
            timestamp=datetime.fromtimestamp(record.created, UTC),
            logger_name=record.name,
            level_name=record.levelname,
            level_no=record.levelno,
            message=record.getMessage(),
            pathname=record.pathname,
            filename=record.filename,
            lineno=record.lineno,
            func_name=record.funcName,
            context_json=context or None,
            exception_text=_format_exception(record),
        )


@attrs.define(slots=False, eq=False, kw_only=True, field_transformer=v.apply_checks)
class SystemLog:
    """A structured subsystem event, with optional links to a pair, a signal and an order."""

    source_module: str = attrs.field(metadata=v.check(v.non_empty))
    log_level: str = attrs.field(metadata=v.check(v.upper_code))
    message: str
    log_timestamp: datetime = attrs.field(
        factory=lambda: datetime.now(UTC), metadata=v.check(v.utc)
    )
    trading_pair: str | None = attrs.field(
        default=None, metadata=v.check(v.trading_pair, optional=True)
    )
    signal_id: uuid.UUID | None = attrs.field(
        default=None, metadata=v.check(v.to_uuid, optional=True)
    )
    order_pk: int | None = None
    exception_type: str | None = None
    stack_trace: str | None = None
    context: dict[str, Any] | None = None
    log_pk: int | None = None

    @classmethod
    def create(
        cls,
        source_module: str,
        log_level: str,
        message: str,
        *,
        context: Mapping[str, Any] | None = None,
        redact_keys: Iterable[str] = DEFAULT_SECRET_KEYS,
        **links: Any,
    ) -> SystemLog:
        """A system log with a JSON-safe, redacted context; ``links`` are the optional columns."""
        safe = json_safe(dict(context), redact_keys) if context else None
        return cls(
            source_module=source_module, log_level=log_level, message=message, context=safe, **links
        )

    @classmethod
    def from_exception(
        cls,
        source_module: str,
        message: str,
        exc: BaseException,
        *,
        log_level: str = "ERROR",
        context: Mapping[str, Any] | None = None,
        redact_keys: Iterable[str] = DEFAULT_SECRET_KEYS,
        **links: Any,
    ) -> SystemLog:
        """A system log for an exception: its type and full stack trace are captured."""
        entry = cls.create(
            source_module, log_level, message, context=context, redact_keys=redact_keys, **links
        )
        entry.exception_type = f"{type(exc).__module__}.{type(exc).__qualname__}"
        entry.stack_trace = "".join(
            traceback.format_exception(type(exc), exc, exc.__traceback__)
        ).rstrip()
        return entry


@attrs.define(slots=False, eq=False, kw_only=True, field_transformer=v.apply_checks)
class EventLog:
    """An append-only record of a system event (never updated once stored)."""

    event_type: str = attrs.field(metadata=v.check(v.non_empty))
    payload: dict[str, Any] = attrs.field(metadata=v.check(json_object))
    source: str = attrs.field(metadata=v.check(v.non_empty))
    occurred_at: datetime = attrs.field(factory=lambda: datetime.now(UTC), metadata=v.check(v.utc))
    event_id: uuid.UUID = attrs.field(factory=uuid.uuid4, metadata=v.check(v.to_uuid))
    event_pk: int | None = None
