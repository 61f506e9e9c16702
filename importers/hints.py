"""A hint at ``--format`` when a file's error comes from being read in the wrong format.

A JSON document starts with ``[`` or ``{``; a CSV export's first line is a
comma-separated header. When a reader refuses a file (on opening it or on a row)
whose first bytes look like the other kind, the error gains "this looks like a JSON
file; try --format ccxt-trades" (or the reverse).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

from gal_friday.importers.common import Source
from gal_friday.importers.errors import ImportFormatError
from gal_friday.importers.records import ImportedFill
from gal_friday.importers.streaming import FillStream

#: How much of a file is looked at.
SNIFF_BYTES = 4096
#: The format to suggest for each kind of text.
FORMAT_FOR_KIND = {"csv": "kraken-trades", "json": "ccxt-trades"}


class Reader(Protocol):
    """An importer: ``(source, **options) -> FillStream``."""

    def __call__(self, source: Source, *args: Any, **kwargs: Any) -> FillStream: ...


def sniff(head: bytes) -> str | None:
    """``"json"``, ``"csv"`` or None (neither, or cannot tell) for a file's first bytes."""
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if text[:1] in (b"[", b"{"):
        return "json"
    first_line = text.split(b"\n", 1)[0]
    if first_line.count(b",") >= 2:
        return "csv"
    return None


def _head(source: Source) -> bytes:
    try:
        if isinstance(source, (str, Path)):
            with Path(source).open("rb") as handle:
                return handle.read(SNIFF_BYTES)
        if source.seekable():
            source.seek(0)
            return source.read(SNIFF_BYTES)
    except (OSError, ValueError):
        pass
    return b""


def _hinted(error: ImportFormatError, source: Source, kind: str) -> ImportFormatError:
    """``error`` with a hint at the other format when the file looks like the other kind."""
    looks = sniff(_head(source))
    if looks is None or looks == kind:
        return error
    hint = f"this looks like a {looks.upper()} file; try --format {FORMAT_FOR_KIND[looks]}"
    return error.with_hint(hint)


def _records(records: Iterator[ImportedFill], source: Source, kind: str) -> Iterator[ImportedFill]:
    try:
        yield from records
    except ImportFormatError as error:
        raise _hinted(error, source, kind) from None


def with_format_hint(reader: Reader, kind: str) -> Reader:
    """``reader`` (which reads ``kind`` files), its errors hinting at the other format:
    those raised when the stream is opened and those raised while its rows are read."""

    @functools.wraps(reader)
    def read(source: Source, *args: Any, **kwargs: Any) -> FillStream:
        try:
            stream = reader(source, *args, **kwargs)
        except ImportFormatError as error:
            raise _hinted(error, source, kind) from None
        stream.records = _records(stream.records, source, kind)
        return stream

    return read
