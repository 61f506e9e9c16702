"""A file's validated fills as a stream: read and checked as they come, in bounded memory.

An importer opens the file, checks its header (a file that is not a trade export is
refused before anything else happens) and hands back a :class:`FillStream`; the
import service stores its records in chunks (docs/import-flow.md). :func:`collect`
reads a whole stream into an :class:`ImportBatch` for callers that want a list.
"""

from __future__ import annotations

from collections.abc import Iterator

import attrs

from gal_friday.importers.common import ByteSource
from gal_friday.importers.errors import ImportFormatError
from gal_friday.importers.records import ImportBatch, ImportedFill


@attrs.define
class FillStream:
    """The fills of one file in file order (in-file repeats not yet removed).

    ``id_column`` names the fill id in the file (``txid``, ``id``); ``by_entry`` is true
    when a record's ``line`` is an entry number (JSON), false for a line number (CSV).
    """

    path: str
    records: Iterator[ImportedFill]
    source: ByteSource
    id_column: str
    id_index: int | None = None
    by_entry: bool = False

    def error(self, line: int, message: str, *, about_id: bool = False) -> ImportFormatError:
        """An error at the record on ``line`` (an entry number for JSON)."""
        column = self.id_column if about_id else None
        index = self.id_index if about_id else None
        if self.by_entry:
            return ImportFormatError(self.path, message, entry=line, column=column)
        return ImportFormatError(self.path, message, line=line, column=column, column_index=index)

    def where(self, line: int) -> str:
        """``line 17`` or ``entry 17``."""
        return f"{'entry' if self.by_entry else 'line'} {line}"

    def close(self) -> None:
        """Close the file."""
        self.source.close()


def same_record(first: ImportedFill, second: ImportedFill) -> bool:
    """True when two records report the same execution of the same order (a repeat)."""
    return first.fill.same_execution(second.fill) and first.order_ref == second.order_ref


def collect(stream: FillStream) -> ImportBatch:
    """Every record of ``stream``, a repeated identical one kept once (and counted), the same
    id with other data an error naming both places.
    """
    records: list[ImportedFill] = []
    seen: dict[str, ImportedFill] = {}
    duplicates = 0
    try:
        for record in stream.records:
            previous = seen.get(record.fill.fill_id)
            if previous is not None:
                if same_record(previous, record):
                    duplicates += 1
                    continue
                raise stream.error(
                    record.line,
                    f"{stream.id_column} {record.fill.fill_id!r} appears on "
                    f"{stream.where(previous.line)} with other data",
                    about_id=True,
                )
            seen[record.fill.fill_id] = record
            records.append(record)
    finally:
        stream.close()
    return ImportBatch(path=stream.path, records=records, duplicates_in_file=duplicates)
