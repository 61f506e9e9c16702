"""Kraken's ledgers export (``ledgers.csv``), in every header Kraken has used.

Columns are found by header name: ``txid, refid, time, type, asset, amount, fee,
balance`` are required; ``subtype``, ``aclass``, ``subclass``, ``wallet``,
``amountusd``, ``feeusd``, ``balanceusd`` and ``feecurrency`` are read when present
(the 2021 header has no ``subclass``/``wallet``, the 2024 one has both, the 2025-26
one has all 16 columns, older ones lack ``subtype``). Fields may be quoted or not;
a UTF-8 BOM and CRLF line ends are fine. Asset codes (``asset`` and ``feecurrency``)
are normalised as for pairs (``XXBT`` -> ``BTC``, ``XXDG`` -> ``DOGE``, ``ZUSD`` ->
``USD``; ``KFEE`` stays); a staked variant keeps its suffix (``XBT.M`` -> ``BTC.M``,
``DOT.S`` stays).

A row without a ``txid`` is a pending movement (a deposit not credited yet): it
is kept, with no txid and possibly no balance. The file is read as a stream
(:func:`read_kraken_ledgers`) through the trades reader
(:func:`~gal_friday.importers.common.read_lines`: same block size, same refusal of
binary content, over-long lines and bad UTF-8): the header is checked at once, each
row when it is reached; the first bad row raises :class:`ImportFormatError` naming
its line and column. :func:`parse_kraken_ledgers` collects a whole file: a row
repeated with the same data is kept once (and counted); the same ``txid`` with
other data is an error naming both lines. See ``docs/ledgers.md``.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import attrs

from gal_friday.domain import values as v
from gal_friday.domain.errors import InvalidValueError
from gal_friday.domain.ledger import LedgerEntry
from gal_friday.importers.common import (
    READING,
    ByteSource,
    Progress,
    Source,
    csv_header,
    csv_rows,
    parse_decimal,
    read_lines,
)
from gal_friday.importers.errors import ImportFormatError
from gal_friday.importers.kraken import parse_time
from gal_friday.importers.pairs import normalize_asset

REQUIRED = ("txid", "refid", "time", "type", "asset", "amount", "fee", "balance")
OPTIONAL = (
    "subtype",
    "aclass",
    "subclass",
    "wallet",
    "amountusd",
    "feeusd",
    "balanceusd",
    "feecurrency",
)
#: Longest asset code stored (as the table allows).
ASSET_TEXT = 16
#: Which column a parsing error is about, by the field name the check reports.
FIELD_COLUMNS = {"filled_at": "time"}
PROGRESS_EVERY = 1000
#: Longest text stored for the type-like columns, and for ids (as the tables allow).
SHORT_TEXT = 32
ID_TEXT = 128


@attrs.frozen
class LedgerBatch:
    """Every entry of one ledgers export, in file order, without in-file duplicates."""

    path: str
    entries: list[LedgerEntry]
    duplicates_in_file: int = 0

    @property
    def pending(self) -> list[LedgerEntry]:
        """The rows without a txid."""
        return [entry for entry in self.entries if entry.pending]


def _header(name: str, row: list[str]) -> dict[str, int]:
    columns = {cell.strip().strip('"').lower(): index for index, cell in enumerate(row)}
    missing = [column for column in REQUIRED if column not in columns]
    if missing:
        raise ImportFormatError(
            name, "not a Kraken ledgers export: the header lacks " + ", ".join(missing), line=1
        )
    return columns


@attrs.define
class LedgerStream:
    """The entries of one ledgers export in file order (in-file repeats not removed),
    read as they are reached; ``txid_index`` is the txid column's position (1-based)."""

    path: str
    entries: Iterator[LedgerEntry]
    source: ByteSource
    txid_index: int

    def close(self) -> None:
        """Close the file."""
        self.source.close()


def read_kraken_ledgers(source: Source, exchange: str = "kraken") -> LedgerStream:
    """The entries of a Kraken ledgers export as a stream; the header is checked now.

    The file is read in blocks (:func:`~gal_friday.importers.common.read_lines`), so
    memory does not grow with its size; each row is validated when it is reached.
    """
    reader_source = ByteSource(source)
    name = reader_source.name
    try:
        reader = csv.reader(read_lines(reader_source, what="a ledgers export"), strict=True)
        header = csv_header(name, reader)
        columns = _header(name, header)
    except BaseException:
        reader_source.close()
        raise
    return LedgerStream(
        path=name,
        entries=_rows(name, reader, len(header), columns, exchange),
        source=reader_source,
        txid_index=columns["txid"] + 1,
    )


def _rows(
    name: str, reader: Any, width: int, columns: dict[str, int], exchange: str
) -> Iterator[LedgerEntry]:
    for start, row in csv_rows(name, reader, width):
        yield _entry(name, start, row, columns, exchange)


def repeat_error(
    stream: LedgerStream, entry: LedgerEntry, previous: LedgerEntry
) -> ImportFormatError:
    """The error for ``entry``: ``previous``, earlier in the file, has its txid with other data."""
    return ImportFormatError(
        stream.path,
        f"txid {entry.txid!r} appears on line {previous.source_line} with other data",
        line=entry.source_line,
        column="txid",
        column_index=stream.txid_index,
    )


def parse_kraken_ledgers(
    source: Source, exchange: str = "kraken", progress: Progress | None = None
) -> LedgerBatch:
    """Every entry of a Kraken ledgers export, validated (see the module docstring)."""
    stream = read_kraken_ledgers(source, exchange)
    entries: list[LedgerEntry] = []
    seen: dict[str, LedgerEntry] = {}
    seen_pending: set[tuple[object, ...]] = set()
    duplicates = 0
    try:
        for entry in stream.entries:
            if entry.txid is None:
                key = pending_key(entry)
                if key in seen_pending:
                    duplicates += 1
                    continue
                seen_pending.add(key)
            else:
                previous = seen.get(entry.txid)
                if previous is not None:
                    if previous.same_as(entry):
                        duplicates += 1
                        continue
                    raise repeat_error(stream, entry, previous)
                seen[entry.txid] = entry
            entries.append(entry)
            if progress is not None and len(entries) % PROGRESS_EVERY == 0:
                progress(READING, len(entries), None)
    finally:
        stream.close()
    if progress is not None:
        progress(READING, len(entries), None)
    return LedgerBatch(path=stream.path, entries=entries, duplicates_in_file=duplicates)


def pending_key(entry: LedgerEntry) -> tuple[object, ...]:
    """What identifies a pending row (it has no txid): refid, time, asset and amount."""
    return (entry.exchange, entry.refid, entry.time, entry.asset, entry.amount)


def _text(row: list[str], columns: dict[str, int], column: str, limit: int) -> str | None:
    index = columns.get(column)
    if index is None:
        return None
    value = row[index].strip()
    if len(value) > limit:
        raise InvalidValueError(column, f"is longer than {limit} characters")
    if not value.isprintable():  # NUL and control characters: PostgreSQL refuses NUL in text
        raise InvalidValueError(column, f"{value!r} holds a control character")
    return value or None


def _amount(
    row: list[str], columns: dict[str, int], column: str, *, optional: bool = False
) -> Decimal | None:
    index = columns.get(column)
    if index is None or (optional and not row[index].strip()):
        return None
    return v.check_storable(parse_decimal(row[index], column), column)


def _entry(
    name: str, line: int, row: list[str], columns: dict[str, int], exchange: str
) -> LedgerEntry:
    try:
        txid = _text(row, columns, "txid", ID_TEXT)
        refid = _text(row, columns, "refid", ID_TEXT)
        if refid is None:
            raise InvalidValueError("refid", "is empty")
        kind = _text(row, columns, "type", SHORT_TEXT)
        if kind is None:
            raise InvalidValueError("type", "is empty")
        asset_code = _text(row, columns, "asset", ASSET_TEXT)
        if asset_code is None:
            raise InvalidValueError("asset", "is empty")
        fee = _amount(row, columns, "fee")
        if fee is None:
            raise InvalidValueError("fee", "is empty")
        if fee < 0:
            raise InvalidValueError("fee", f"{fee} is negative")
        amount = _amount(row, columns, "amount")
        if amount is None:
            raise InvalidValueError("amount", "is empty")
        balance = _amount(row, columns, "balance", optional=txid is None)
        entry = LedgerEntry(
            exchange=exchange,
            txid=txid,
            refid=refid,
            time=parse_time(row[columns["time"]]),
            type=kind.lower(),
            subtype=_lower(_text(row, columns, "subtype", SHORT_TEXT)),
            aclass=_lower(_text(row, columns, "aclass", SHORT_TEXT)),
            subclass=_lower(_text(row, columns, "subclass", SHORT_TEXT)),
            asset=normalize_asset(asset_code),
            wallet=_text(row, columns, "wallet", 64),
            amount=v.tidy(amount),
            fee=v.tidy(fee),
            balance=v.tidy(balance) if balance is not None else None,
            amountusd=_amount(row, columns, "amountusd", optional=True),
            source_line=line,
            feeusd=_amount(row, columns, "feeusd", optional=True),
            balanceusd=_amount(row, columns, "balanceusd", optional=True),
            feecurrency=_asset(_text(row, columns, "feecurrency", ASSET_TEXT)),
        )
    except InvalidValueError as exc:
        column = FIELD_COLUMNS.get(exc.field, exc.field)
        position = columns.get(column)
        raise ImportFormatError(
            name,
            exc.problem,
            line=line,
            column=column,
            column_index=position + 1 if position is not None else None,
        ) from None
    return entry


def _asset(code: str | None) -> str | None:
    return normalize_asset(code) if code is not None else None


def _lower(text: str | None) -> str | None:
    return text.lower() if text is not None else None
