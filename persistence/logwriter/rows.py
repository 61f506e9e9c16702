"""The log writer's rows: a ``logs`` row as a tuple, made straight from a record's fields.

The writer turns records into rows by the thousand on its own thread; a :class:`Log` (or
a dict) per record would cost more than the rest. :func:`log_row` makes the tuple the
COPY takes, with the same values ``Log.from_record`` stores: the redaction is the
domain's (:func:`gal_friday.domain.logs.redacted_record`), and
``tests/integration/test_log_rows.py`` checks that both paths store the same rows.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from gal_friday.domain.logs import redacted_record
from gal_friday.domain.redaction import Redactor

__all__ = ["LOG_COLUMNS", "LogRow", "log_row", "record_ids"]

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
    if context is not None and encode_context is not None:
        context = encode_context(context)
    return (
        uuid.uuid4() if record_id is None else record_id,
        datetime.fromtimestamp(fields["created"], UTC),
        fields["name"],
        fields["levelname"],
        fields["levelno"],
        message,
        fields.get("pathname"),
        fields.get("filename"),
        fields.get("lineno"),
        fields.get("funcName"),
        context,
        exception_text,
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
