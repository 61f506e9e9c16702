"""The log writer's rows: a ``logs`` row as a tuple, made straight from a record's fields.

The writer turns records into rows by the thousand on its own thread; a :class:`Log` (or
a dict) per record would cost more than the rest. :func:`log_row` makes the tuple the
COPY takes, with the same values ``Log.from_record`` stores: the redaction is the
domain's (:func:`gal_friday.domain.logs.redacted_record`), and
``tests/integration/test_log_rows.py`` checks that both paths store the same rows.

Every text of a row (message, exception, names, and every string key and value of the
context) is made storable by both databases and by the spill file (:func:`storable_text`):
a NUL becomes U+FFFD and a lone surrogate its backslash escape (``\\udc80``), so one such
record never takes its batch with it (``docs/logging.md``, "Records stored altered").
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from gal_friday.domain.logs import redacted_record
from gal_friday.domain.redaction import Redactor

__all__ = ["LOG_COLUMNS", "LogRow", "log_row", "record_ids", "storable_text"]

#: The columns of a ``logs`` row (the names of ``Log``'s fields), in :func:`log_row`'s order.
LOG_COLUMNS = (
    "record_id",
    "timestamp",
    "logger_name",
    "level_name",
    "level_no",
    "message",
    "pathname",
    "filename",
    "lineno",
    "func_name",
    "context_json",
    "exception_text",
)

#: One ``logs`` row as a tuple in :data:`LOG_COLUMNS` order.
LogRow = tuple[
    uuid.UUID | str, datetime, str, str, int, str, str | None, str | None, int | None, str | None,
    Any, str | None,
]  # fmt: skip


#: What no database stores in text or JSON: NUL, and surrogates (which never encode to UTF-8).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_NUL_STAND_IN = "\ufffd"


def _stand_in(match: re.Match[str]) -> str:
    char = match.group()
    return _NUL_STAND_IN if char == "\x00" else f"\\u{ord(char):04x}"


def storable_text(text: str) -> str:
    """``text`` with each NUL replaced by U+FFFD and each surrogate by its backslash escape."""
    if text.isascii():  # O(1) in CPython: most texts stop here, or at the NUL search
        return text.replace("\x00", _NUL_STAND_IN) if "\x00" in text else text
    return _UNSTORABLE.sub(_stand_in, text)


def _storable_value(value: Any) -> Any:
    """A JSON-safe context value with every string (keys too) made storable."""
    if isinstance(value, str):
        return storable_text(value)
    if isinstance(value, dict):
        return {storable_text(str(k)): _storable_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_storable_value(item) for item in value]
    return value


def _optional_text(value: Any) -> Any:
    return storable_text(value) if isinstance(value, str) else value


def log_row(
    fields: Mapping[str, Any],
    message: str,
    exception_text: str | None,
    rules: Redactor,
    encode_context: Callable[[dict[str, Any]], Any] | None = None,
    record_id: uuid.UUID | str | None = None,
) -> LogRow:
    """One ``logs`` row, redacted, as a tuple in :data:`LOG_COLUMNS` order.

    ``fields``, ``message`` and ``exception_text`` as for
    :func:`~gal_friday.domain.logs.redacted_record`. The context (None when empty) is
    passed through ``encode_context`` when given (the writer's JSON text for COPY). The
    ``record_id`` is a new :func:`uuid.uuid4` unless given (:func:`record_ids`).
    """
    message, exception_text, context = redacted_record(fields, message, exception_text, rules)
    if context is not None:
        context = _storable_value(context)
        if encode_context is not None:
            context = encode_context(context)
    return (
        uuid.uuid4() if record_id is None else record_id,
        datetime.fromtimestamp(fields["created"], UTC),
        storable_text(str(fields["name"])),
        storable_text(str(fields["levelname"])),
        fields["levelno"],
        storable_text(message),
        _optional_text(fields.get("pathname")),
        _optional_text(fields.get("filename")),
        fields.get("lineno"),
        _optional_text(fields.get("funcName")),
        context,
        _optional_text(exception_text),
    )


_VARIANT = {digit: "89ab"[int(digit, 16) & 3] for digit in "0123456789abcdef"}


def record_ids(count: int) -> list[str]:
    """``count`` new random (version 4) UUIDs as text, from one read of the OS's random source.

    The same 122 random bits per id as :func:`uuid.uuid4`, without its system call and
    ``UUID`` object per id (the writer makes one per record).
    """
    digits = os.urandom(16 * count).hex()
    return [
        f"{digits[i : i + 8]}-{digits[i + 8 : i + 12]}-4{digits[i + 13 : i + 16]}"
        f"-{_VARIANT[digits[i + 16]]}{digits[i + 17 : i + 20]}-{digits[i + 20 : i + 32]}"
        for i in range(0, 32 * count, 32)
    ]
