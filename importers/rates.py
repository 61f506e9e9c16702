"""The rates file of ``--rates FILE``: what a commission paid in a third asset is worth.

A CSV with the header ``time,asset,quote,rate`` (any column order, more columns
ignored), one rate per row: ``rate`` units of ``quote`` per unit of ``asset``, in
force from ``time`` until the next row of the same ``asset,quote``.
``time`` is ISO 8601 (``2024-01-01``, ``2024-01-01T12:00:00Z``, ``...+02:00``); without
an offset it is UTC. Every mistake is an error naming the file, line and column. The
format is described in docs/import-flow.md.
"""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from decimal import Decimal

from gal_friday.domain.errors import InvalidValueError
from gal_friday.domain.rates import RateTable
from gal_friday.importers.common import ByteSource, Source, parse_decimal, read_lines
from gal_friday.importers.errors import ImportFormatError

COLUMNS = ("time", "asset", "quote", "rate")


def _time(text: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise InvalidValueError("time", f"{text!r} is not an ISO 8601 time") from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _asset(text: str, field: str) -> str:
    code = text.strip().upper()
    if not code or not code.isalnum() or len(code) > 20:
        raise InvalidValueError(field, f"{text!r} is not an asset code")
    return code


def read_rates(source: Source) -> RateTable:
    """The rates of a rates file (see the module docstring)."""
    reader_source = ByteSource(source)
    name = reader_source.name
    points: list[tuple[str, str, datetime, Decimal]] = []
    try:
        reader = csv.reader(read_lines(reader_source), strict=True)
        try:
            header = next(reader, None)
            if header is None:
                raise ImportFormatError(name, "the file is empty", line=1)
            columns = {cell.strip().lower(): index for index, cell in enumerate(header)}
            missing = [column for column in COLUMNS if column not in columns]
            if missing:
                raise ImportFormatError(
                    name,
                    "not a rates file: the header needs time,asset,quote,rate; it lacks "
                    + ", ".join(missing),
                    line=1,
                )
            line = reader.line_num
            for row in reader:
                start, line = line + 1, reader.line_num
                if not row or (len(row) == 1 and not row[0].strip()):
                    continue
                if len(row) != len(header):
                    raise ImportFormatError(
                        name, f"expected {len(header)} fields, found {len(row)}", line=start
                    )
                try:
                    points.append(
                        (
                            _asset(row[columns["asset"]], "asset"),
                            _asset(row[columns["quote"]], "quote"),
                            _time(row[columns["time"]]),
                            _positive(parse_decimal(row[columns["rate"]], "rate")),
                        )
                    )
                except InvalidValueError as exc:
                    raise ImportFormatError(
                        name,
                        exc.problem,
                        line=start,
                        column=exc.field,
                        column_index=columns[exc.field] + 1,
                    ) from None
        except csv.Error as exc:
            raise ImportFormatError(name, f"malformed CSV: {exc}", line=reader.line_num) from None
    finally:
        reader_source.close()
    try:
        return RateTable.of(points)
    except InvalidValueError as exc:
        raise ImportFormatError(name, f"{exc.field}: {exc.problem}") from None


def _positive(rate: Decimal) -> Decimal:
    if rate <= 0:
        raise InvalidValueError("rate", f"{rate} must be greater than zero")
    return rate
