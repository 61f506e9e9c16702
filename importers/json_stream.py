"""Incremental JSON for the ccxt importer: ``ijson`` events, one value built at a time.

Memory stays bounded whatever the file: the file is read in blocks, a value (one
trade) may nest at most :data:`MAX_DEPTH` levels and hold at most :data:`MAX_VALUES`
items, and the file may not run :data:`MAX_TOKEN_BYTES` bytes without a ``"`` (no
real trade export does; an endless or padded file stops there). Integers come as
``Decimal`` like every other number, never through float. See docs/import-flow.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import ijson

from gal_friday.importers.common import READ_BLOCK, ByteSource
from gal_friday.importers.errors import ImportFormatError

Event = tuple[str, Any]

#: How deep one trade may nest (a ccxt trade nests three levels: fees, info).
MAX_DEPTH = 32
#: How many keys, items and values one trade may hold.
MAX_VALUES = 10_000
#: The longest run of bytes without a double quote (every key and string has them).
MAX_TOKEN_BYTES = 64 * 1024

_NON_FINITE = re.compile(r"-?\b(NaN|Infinity)\b")


class _GuardedReader:
    """A binary reader for ijson that refuses a run of bytes no trade file has."""

    def __init__(self, source: ByteSource) -> None:
        self.source = source
        self.run = 0
        self.error: ImportFormatError | None = None

    def read(self, size: int = READ_BLOCK) -> bytes:
        data = self.source.read(size if size > 0 else READ_BLOCK) if size != 0 else b""
        if not data:
            return data
        pieces = data.split(b'"')
        longest = self.run + len(pieces[0])
        if len(pieces) > 1:
            inner = max((len(piece) for piece in pieces[1:-1]), default=0)
            longest = max(longest, inner)
            self.run = len(pieces[-1])
        else:
            self.run = longest
        if max(longest, self.run) > MAX_TOKEN_BYTES:
            problem = (
                "binary content (a NUL byte)"
                if b"\0" in data
                else f"{MAX_TOKEN_BYTES:,} bytes without a string"
            )
            self.error = ImportFormatError(self.source.name, f"{problem}: not a trade export")
            raise self.error
        return data


def json_events(source: ByteSource) -> Iterator[Event]:
    """The ``(event, value)`` pairs of ``ijson.basic_parse``; bad JSON is one clear error."""
    reader = _GuardedReader(source)
    try:
        yield from ijson.basic_parse(reader, use_float=False, buf_size=READ_BLOCK)
    except ijson.JSONError as exc:
        if reader.error is not None:
            raise reader.error from None
        text = str(exc)
        if _NON_FINITE.search(text):
            problem = "NaN and Infinity are not finite numbers"
        else:
            problem = text.strip().splitlines()[0] if text.strip() else "truncated"
        raise ImportFormatError(source.name, f"not valid JSON: {problem}") from None


def _scalar(value: Any) -> Any:
    if type(value) is int:
        return Decimal(value)
    return value


def build_value(name: str, events: Iterator[Event], first: Event, entry: int) -> Any:
    """The value that starts with ``first`` (a scalar, or a whole object or array)."""
    kind, value = first
    if kind == "start_map":
        root: Any = {}
    elif kind == "start_array":
        root = []
    else:
        return _scalar(value)
    stack: list[Any] = [root]
    keys: list[Any] = [None]
    count = 0
    for kind, value in events:
        count += 1
        if count > MAX_VALUES:
            raise ImportFormatError(name, f"holds more than {MAX_VALUES:,} values", entry=entry)
        if kind == "map_key":
            keys[-1] = value
            continue
        if kind in ("end_map", "end_array"):
            stack.pop()
            keys.pop()
            if not stack:
                return root
            continue
        if kind in ("start_map", "start_array"):
            item: Any = {} if kind == "start_map" else []
        else:
            item = _scalar(value)
        parent = stack[-1]
        if isinstance(parent, dict):
            parent[keys[-1]] = item
        else:
            parent.append(item)
        if kind in ("start_map", "start_array"):
            stack.append(item)
            keys.append(None)
            if len(stack) > MAX_DEPTH:
                raise ImportFormatError(name, f"nested deeper than {MAX_DEPTH} levels", entry=entry)
    raise ImportFormatError(name, "not valid JSON: premature end")


def skip_value(events: Iterator[Event], first: Event) -> None:
    """Read past the value that starts with ``first`` without building it."""
    if first[0] not in ("start_map", "start_array"):
        return
    depth = 1
    for kind, _ in events:
        if kind in ("start_map", "start_array"):
            depth += 1
        elif kind in ("end_map", "end_array"):
            depth -= 1
            if depth == 0:
                return
