"""Log records, subsystem logs and the append-only event log.

Context dictionaries are made JSON-safe on the way in (:func:`json_safe`), in the
library's JSON encoding (``docs/payloads.md``): ``Decimal`` becomes the string of its
exact digits, aware datetimes ISO 8601 in UTC, dates ISO, UUIDs strings, enums their
value, numpy scalars their number; where another JSON field refuses a value, a log
keeps its (scrubbed) ``repr`` instead, because logging must never fail. Secrets are
kept out (:mod:`gal_friday.domain.redaction`, ``docs/logging.md``): a value under a
secret key is replaced by ``"***"`` at any depth, and messages, exception text, string
values and reprs are scrubbed of credentials of a recognisable shape. The walk is
iterative: a structure nested deeper than :data:`MAX_DEPTH` levels, or a cycle, is
replaced by a placeholder, never stored as its ``repr``.
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
from gal_friday.domain.json_values import decimal_text, is_numpy_scalar, json_document, numpy_item
from gal_friday.domain.redaction import DEFAULT_SECRET_KEYS, REDACTED, Redactor, redactor

__all__ = [
    "DEFAULT_SECRET_KEYS",
    "MAX_DEPTH",
    "REDACTED",
    "EventLog",
    "Log",
    "SystemLog",
    "json_object",
    "json_safe",
    "log_values",
    "record_context",
    "redacted_record",
]

MAX_DEPTH = 64
TOO_DEEP = f"<nested deeper than {MAX_DEPTH} levels: not stored>"
CYCLE = "<cycle: not stored>"
_SHORTEST_ECHOED_SECRET = 4  # a redacted value this long is also removed from the message

# Attributes every LogRecord has; whatever else a record carries came from ``extra=``.
_STANDARD_RECORD_ATTRS = frozenset(
    vars(logging.LogRecord("", 0, "", 0, "", None, None)).keys() | {"message", "asctime"}
)
_EXTRA_NAMES: dict[tuple[str, ...], tuple[str, ...]] = {}  # a record's names -> its extra names
_EXTRA_NAMES_LIMIT = 1_000
_CONTAINERS = (Mapping, list, tuple, set, frozenset)
_PLAIN = frozenset({str, int, float, bool, type(None)})  # common leaves, known without an ABC check


def json_safe(value: Any, redact_keys: Iterable[str] = DEFAULT_SECRET_KEYS) -> Any:
    """A copy of ``value`` that ``json.dumps`` accepts, with secrets redacted."""
    return _redacted(value, redactor(redact_keys), None)


def _leaf(value: Any, rules: Redactor) -> Any:
    """The JSON-safe form of a value that is not a container."""
    if isinstance(value, str):
        return rules.scrub(value)
    if value is None or isinstance(value, (bool, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, Decimal):
        return decimal_text(value) if value.is_finite() else str(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime) and value.utcoffset() is not None:
        return value.astimezone(UTC).isoformat()  # as every JSON field has it (docs/payloads.md)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if is_numpy_scalar(value):  # its number (docs/payloads.md)
        item = numpy_item(value)
        return _leaf(item, rules) if type(item) in _PLAIN else rules.scrub(repr(item))
    try:
        text = repr(value)
    except Exception:
        text = f"<{type(value).__name__} object: repr failed>"
    return rules.scrub(text)


def _redacted(value: Any, rules: Redactor, secrets: list[str] | None) -> Any:
    """``value`` made JSON-safe and redacted, walked with an explicit stack (no recursion).

    Leaves are converted where they are met; only containers go on the stack, with
    the ids of the containers above them (to recognise a cycle). The string values
    found under secret keys are appended to ``secrets`` when given.
    """
    if type(value) is dict and (flat := _flat(value, rules, secrets)) is not None:
        return flat
    while isinstance(value, Enum):
        value = value.value
    if not isinstance(value, _CONTAINERS):
        return _leaf(value, rules)
    root: list[Any] = [None]
    stack: list[tuple[Any, Any, Any, int, frozenset[int]]] = [(value, root, 0, 0, frozenset())]
    while stack:
        item, parent, slot, depth, ancestors = stack.pop()
        if depth >= MAX_DEPTH:
            parent[slot] = TOO_DEEP
            continue
        if id(item) in ancestors:
            parent[slot] = CYCLE
            continue
        inner = ancestors | {id(item)}
        out: Any
        if isinstance(item, Mapping):
            out = {}
            for key, child in item.items():
                name = _stored_key(key, child, rules, out, secrets)
                if name is None:
                    continue
                if type(child) in _PLAIN:
                    out[name] = _leaf(child, rules)
                    continue
                while isinstance(child, Enum):
                    child = child.value
                if isinstance(child, _CONTAINERS):
                    out[name] = None
                    stack.append((child, out, name, depth + 1, inner))
                else:
                    out[name] = _leaf(child, rules)
        else:
            out = []
            for index, child in enumerate(item):
                if type(child) in _PLAIN:
                    out.append(_leaf(child, rules))
                    continue
                while isinstance(child, Enum):
                    child = child.value
                if isinstance(child, _CONTAINERS):
                    out.append(None)
                    stack.append((child, out, index, depth + 1, inner))
                else:
                    out.append(_leaf(child, rules))
        parent[slot] = out
    return root[0]


def _flat(
    value: dict[Any, Any], rules: Redactor, secrets: list[str] | None
) -> dict[str, Any] | None:
    """:func:`_redacted` of a dict whose values are all plain scalars (most log contexts);
    None (``secrets`` as they were) when a value is not."""
    out: dict[str, Any] = {}
    found = len(secrets) if secrets is not None else 0
    safe_key, scrub = rules.safe_key, rules.scrub
    for key, child in value.items():
        if type(child) not in _PLAIN:
            if secrets is not None:
                del secrets[found:]
            return None
        name = safe_key(key) if type(key) is str else None
        if name is None:  # a secret or not a string: the general rule
            name = _stored_key(key, child, rules, out, secrets)
            if name is None:
                continue
        out[name] = scrub(child) if type(child) is str else _leaf(child, rules)
    return out


def _stored_key(
    key: Any, child: Any, rules: Redactor, out: dict[str, Any], secrets: list[str] | None
) -> str | None:
    """The key to store ``child`` under; None when the key is secret (``out`` then gets
    ``***`` in its place, and ``secrets`` the value if it is a string)."""
    name = rules.safe_key(key if isinstance(key, str) else str(key))
    if name is None:
        out[str(key)] = REDACTED
        if secrets is not None and isinstance(child, str):
            secrets.append(child)
    return name


def json_object(value: object, field: str) -> dict[str, Any]:
    """A JSON-safe copy of a mapping (nothing redacted)."""
    if not isinstance(value, Mapping):
        raise InvalidValueError(field, f"must be a mapping, not {type(value).__name__}")
    result: dict[str, Any] = json_safe(value, ())
    return result


def redacted_object(value: object, field: str) -> dict[str, Any]:
    """A mapping in the JSON encoding (:func:`~gal_friday.domain.json_values.json_document`:
    a value without one is refused, naming its path) with secrets redacted."""
    result: dict[str, Any] = json_safe(json_document(value, field))
    return result


def _correlation_id(value: object, field: str) -> str:
    """Any id as text: a UUID (a signal id), an int (an order key) or a string."""
    if isinstance(value, bool) or not isinstance(value, (str, int, uuid.UUID)):
        raise InvalidValueError(field, f"must be a string, an int or a UUID, not {value!r}")
    return v.external_id(str(value), field)


def record_context(record: logging.LogRecord | Mapping[str, Any]) -> dict[str, Any]:
    """The ``extra=`` fields of a log record (everything that is not a standard attribute)."""
    fields = record if type(record) is dict or isinstance(record, Mapping) else vars(record)
    names = tuple(fields)
    extra = _EXTRA_NAMES.get(names)
    if extra is None:  # records from one call site share their names: computed once
        extra = tuple(name for name in names if name not in _STANDARD_RECORD_ATTRS)
        if len(_EXTRA_NAMES) >= _EXTRA_NAMES_LIMIT:
            _EXTRA_NAMES.clear()
        _EXTRA_NAMES[names] = extra
    return {name: fields[name] for name in extra}


def _format_exception(record: logging.LogRecord) -> str | None:
    if record.exc_info and record.exc_info[0] is not None:
        return "".join(traceback.format_exception(*record.exc_info)).rstrip()
    if record.exc_text:
        return record.exc_text
    return None


def redacted_record(
    fields: Mapping[str, Any], message: str, exception_text: str | None, rules: Redactor
) -> tuple[str, str | None, dict[str, Any] | None]:
    """A record's message, exception text and context as a :class:`Log` stores them.

    ``fields`` is the record's ``__dict__`` (or a copy); ``message`` the formatted
    message and ``exception_text`` the formatted exception, both scrubbed here. A
    secret found under a secret key of the context is also removed from both texts.
    The context is the record's ``extra=`` fields made JSON-safe (None when empty).
    """
    secrets: list[str] = []
    context = record_context(fields)
    safe = _redacted(context, rules, secrets) if context else None
    message = rules.scrub(message)
    if exception_text is not None:
        exception_text = rules.scrub(exception_text)
    for secret in secrets:
        if len(secret) >= _SHORTEST_ECHOED_SECRET:
            message = message.replace(secret, REDACTED)
            if exception_text is not None:
                exception_text = exception_text.replace(secret, REDACTED)
    return message, exception_text, safe or None


def log_values(
    fields: Mapping[str, Any],
    message: str,
    exception_text: str | None,
    redact_keys: Iterable[str] | Redactor = DEFAULT_SECRET_KEYS,
) -> dict[str, Any]:
    """The values of a :class:`Log` of a record, keyed by field (a new ``record_id``).

    ``fields``, ``message`` and ``exception_text`` as for :func:`redacted_record`.
    """
    rules = redact_keys if isinstance(redact_keys, Redactor) else redactor(redact_keys)
    message, exception_text, context = redacted_record(fields, message, exception_text, rules)
    return {
        "record_id": uuid.uuid4(),
        "timestamp": datetime.fromtimestamp(fields["created"], UTC),
        "logger_name": fields["name"],
        "level_name": fields["levelname"],
        "level_no": fields["levelno"],
        "message": message,
        "pathname": fields.get("pathname"),
        "filename": fields.get("filename"),
        "lineno": fields.get("lineno"),
        "func_name": fields.get("funcName"),
        "context_json": context,
        "exception_text": exception_text,
    }


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
        return cls(
            **log_values(vars(record), record.getMessage(), _format_exception(record), redact_keys)
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
        rules = redactor(redact_keys)
        safe = _redacted(dict(context), rules, None) if context else None
        return cls(
            source_module=source_module,
            log_level=log_level,
            message=rules.scrub(message),
            context=safe,
            **links,
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
        entry.stack_trace = redactor(redact_keys).scrub(
            "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)).rstrip()
        )
        return entry


@attrs.define(slots=False, eq=False, kw_only=True, field_transformer=v.apply_checks)
class EventLog:
    """An append-only record of a system event (never updated once stored).

    The payload is put in the JSON encoding (``docs/payloads.md``) and redacted like a log
    record's context. ``correlation_id`` ties events together (a signal id, an order id or
    any id the caller gives, as text); the event store finds events by it.
    """

    event_type: str = attrs.field(metadata=v.check(v.non_empty))
    payload: dict[str, Any] = attrs.field(metadata=v.check(redacted_object))
    source: str = attrs.field(metadata=v.check(v.non_empty))
    occurred_at: datetime = attrs.field(factory=lambda: datetime.now(UTC), metadata=v.check(v.utc))
    event_id: uuid.UUID = attrs.field(factory=uuid.uuid4, metadata=v.check(v.to_uuid))
    correlation_id: str | None = attrs.field(
        default=None, metadata=v.check(_correlation_id, optional=True)
    )
    event_pk: int | None = None
