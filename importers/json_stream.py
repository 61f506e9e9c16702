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

#: The longest run of digits passed to ijson. Longer runs are cut to it before parsing:
#: Python refuses to make an int of more than ``sys.get_int_max_str_digits()`` (at least
#: 640) digits, and ijson's C backend then fails badly. No value read may be longer
#: than 128 characters, so a cut number is refused by its field all the same.
MAX_DIGIT_RUN = 600
_DIGITS = b"0123456789"
_LONG_RUN = re.compile(rb"[0-9]{%d,}" % MAX_DIGIT_RUN)

_NON_FINITE = re.compile(r"-?\b(NaN|Infinity)\b")


#: Escapes of UTF-16 surrogates (backslash, u, D800 to DFFF), with the backslashes before them.
_SURROGATE = re.compile(rb"\\+u[dD][89a-fA-F][0-9a-fA-F]{2}")
_LOW = re.compile(rb"\\u[dD][c-fC-F][0-9a-fA-F]{2}")
_HIGH_LETTERS = b"89abAB"
_ESCAPE_LENGTH = 6
#: What a lone surrogate escape is read as: an escaped pair ijson decodes to U+10FFFF,
#: a noncharacter no trade file holds, turned back into the lone surrogate
#: :func:`build_value` hands the domain (which refuses it naming the field).
_MARK_ESCAPE = rb"\uDBFF\uDFFF"
_MARK = "\U0010ffff"
_LONE = "\ud800"


class _LoneSurrogates:
    """Marks the escapes of UTF-16 surrogates that are not half of a pair, in JSON read
    in blocks.

    ijson's C backend reads a lone surrogate escape as ``?``, silently changing the
    value; marked, it reaches the domain's check on text fields instead.
    """

    def __init__(self) -> None:
        self.carry = b""

    def feed(self, data: bytes) -> bytes:
        """The bytes that can be judged so far, lone surrogate escapes marked; the
        undecided end is kept for the next block (everything at the end, ``data == b""``)."""
        final = not data
        text = self.carry + data
        out: list[bytes] = []
        done = emitted = 0
        cut = len(text) if final else len(text) - 2 * _ESCAPE_LENGTH
        for match in _SURROGATE.finditer(text):
            if match.start() < done:
                continue  # the low half of a pair already taken
            if not final and match.end() + _ESCAPE_LENGTH > len(text):
                cut = min(cut, match.start())
                break
            backslashes = match.end() - match.start() - (_ESCAPE_LENGTH - 1)
            if backslashes % 2 == 0:
                continue  # an escaped backslash then text, not an escape
            end = match.end()
            if text[end - 3] in _HIGH_LETTERS and _LOW.match(text, end):
                done = end + _ESCAPE_LENGTH
                continue
            out.append(text[emitted : end - _ESCAPE_LENGTH])
            out.append(_MARK_ESCAPE)
            done = emitted = end
        cut = max(cut, done, 0)
        while cut > done and text[cut - 1] == ord("\\"):
            cut -= 1  # keep a run of backslashes whole
        out.append(text[emitted:cut])
        self.carry = text[cut:]
        return b"".join(out)


class _GuardedReader:
    """A binary reader for ijson that refuses a run of bytes no trade file has."""

    def __init__(self, source: ByteSource) -> None:
        self.source = source
        self.run = 0
        self.error: ImportFormatError | None = None
        self.surrogates = _LoneSurrogates()
        self.digits = 0

    def read(self, size: int = READ_BLOCK) -> bytes:
        if size == 0:
            return b""
        while True:  # ijson takes b"" for the end: only return it at the end
            data = self._guarded(size if size > 0 else READ_BLOCK)
            marked = self.surrogates.feed(self._cut_digit_runs(data))
            if marked or not data:
                return marked

    def _cut_digit_runs(self, data: bytes) -> bytes:
        """``data`` with every run of digits cut to :data:`MAX_DIGIT_RUN` (runs go on
        across blocks)."""
        if not data:
            return data
        lead = len(data) - len(data.lstrip(_DIGITS))
        pieces: list[bytes] = []
        position = 0
        if self.digits and lead:
            pieces.append(data[: max(0, min(lead, MAX_DIGIT_RUN - self.digits))])
            position = lead
        for match in _LONG_RUN.finditer(data, position):
            pieces.append(data[position : match.start() + MAX_DIGIT_RUN])
            position = match.end()
        pieces.append(data[position:])
        trail = len(data) - len(data.rstrip(_DIGITS))
        self.digits = self.digits + trail if trail == len(data) else trail
        return b"".join(pieces)

    def _guarded(self, size: int) -> bytes:
        data = self.source.read(size)
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
            if b"\0" in data:
                problem = "binary content (a NUL byte): not a trade export"
            elif data.count(b"[") + data.count(b"{") > MAX_DEPTH:
                problem = "the JSON is nested too deeply to be a trades file"
            else:
                problem = f"{MAX_TOKEN_BYTES:,} bytes without a string: not a trade export"
            self.error = ImportFormatError(self.source.name, problem)
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
    if type(value) is str and _MARK in value:
        return value.replace(_MARK, _LONE)
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
                raise ImportFormatError(
                    name,
                    f"the JSON is nested too deeply (more than {MAX_DEPTH} levels)",
                    entry=entry,
                )
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
