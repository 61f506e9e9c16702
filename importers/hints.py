"""A hint at ``--format`` when a file's error comes from being read in the wrong format.

A JSON document starts with ``[`` or ``{``; a CSV export's first line is a
comma-separated header. When a parser refuses a file whose first bytes look like
the other kind, the error gains "this looks like a JSON file; try --format
ccxt-trades" (or the reverse).
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, Protocol

from gal_friday.importers.common import Source
from gal_friday.importers.errors import ImportFormatError
from gal_friday.importers.records import ImportBatch

#: How much of a file is looked at.
SNIFF_BYTES = 4096
#: The format to suggest for each kind of text.
FORMAT_FOR_KIND = {"csv": "kraken-trades", "json": "ccxt-trades"}


class Parser(Protocol):
    """An importer: ``(source, **options) -> ImportBatch``."""

    def __call__(self, source: Source, *args: Any, **kwargs: Any) -> ImportBatch: ...


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


def with_format_hint(parser: Parser, kind: str) -> Parser:
    """``parser`` (which reads ``kind`` files), its errors hinting at the other format."""

    @functools.wraps(parser)
    def parse(source: Source, *args: Any, **kwargs: Any) -> ImportBatch:
        try:
            return parser(source, *args, **kwargs)
        except ImportFormatError as error:
            looks = sniff(_head(source))
            if looks is None or looks == kind:
                raise
            hint = f"this looks like a {looks.upper()} file; try --format {FORMAT_FOR_KIND[looks]}"
            raise error.with_hint(hint) from None

    return parse
