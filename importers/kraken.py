"""Kraken's trades export (``trades.csv``), in every header layout seen in real exports.

Columns are found by name, so the classic 13-column layout, the 22-column one
(``postxid, posstatus, cprice, ...``) and the 2024+ 24-column one (``aclass, subclass``,
``posttxid, posstatuscode``) all work, and so do extra columns. Used: ``txid`` (the fill
id), ``ordertxid`` (fills sharing it belong to one order), ``pair`` (split as
``importers.pairs`` says), ``time`` (UTC, ``YYYY-MM-DD HH:MM:SS`` with 0-4 fractional
digits), ``type`` (buy/sell), ``ordertype``, ``price``, ``vol`` (base quantity) and
``fee`` (in the quote currency; a negative fee is a maker rebate, kept with its sign).
Empty fields may be quoted or not; quoted fields may hold commas (``ledgers``) and
newlines; a UTF-8 BOM and CRLF line ends are fine.

Margin: a row with a non-zero ``margin``, a ``posstatus`` / ``posstatuscode``, or (when
its ``margin`` is empty or absent) a ``misc`` saying ``initiated`` or ``closing`` is an
execution of a margin position; an explicit ``margin`` of 0 is spot. Its fill is
of kind ``MARGIN`` on the marked pair ``BASE.MARGIN/QUOTE`` (``ADA.MARGIN/EUR``), so its
positions and trades never net against spot holdings (docs/ledgers.md, "Margin").

The file is read as a stream (:func:`read_kraken_trades`, docs/import-flow.md): the
header is checked at once, each row when it is reached; the first bad row raises
:class:`ImportFormatError` with its line and column. A row repeated with identical
data is kept once (and counted); the same ``txid`` with other data is an error
naming both lines.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from gal_friday.domain import Fill
from gal_friday.domain.construction import checked
from gal_friday.domain.errors import InvalidValueError
from gal_friday.domain.fill import FillKind, margin_pair
from gal_friday.domain.invariants import InvariantError
from gal_friday.domain.values import plain_amount, shown
from gal_friday.importers.common import (
    ByteSource,
    Source,
    checked_exchange,
    csv_header,
    csv_rows,
    order_type,
    parse_decimal,
    plausible_time,
    read_lines,
    side,
)
from gal_friday.importers.errors import ImportFormatError
from gal_friday.importers.pairs import checked_pair_map, normalize_pair
from gal_friday.importers.records import ImportBatch, ImportedFill
from gal_friday.importers.streaming import FillStream, collect

REQUIRED = ("txid", "ordertxid", "pair", "time", "type", "ordertype", "price", "fee", "vol")
#: Columns that say a row belongs to a margin position, when present.
MARGIN_COLUMNS = ("margin", "misc", "posstatus", "posstatuscode")
#: ``misc`` flags of margin executions.
MARGIN_FLAGS = frozenset({"initiated", "closing"})

#: The amounts of a fill and their columns, in the order they are read.
AMOUNTS = (("quantity_filled", "vol"), ("fill_price", "price"), ("commission", "fee"))

#: Which CSV column a domain field error is about.
FIELD_COLUMNS = {
    "fill_id": "txid",
    "exchange_order_id": "ordertxid",
    "trading_pair": "pair",
    "pair": "pair",
    "filled_at": "time",
    "side": "type",
    "order_type": "ordertype",
    "fill_price": "price",
    "quantity_filled": "vol",
    "commission": "fee",
    "margin": "margin",
}


def parse_time(text: str) -> datetime:
    """``YYYY-MM-DD HH:MM:SS[.f{1,4}]`` in UTC, between 2009-01-03 and a day from now."""
    value = text.strip()
    length = len(value)
    if (
        not (length == 19 or 21 <= length <= 24)
        or value[10] != " "
        or (length > 19 and value[19] != ".")
    ):
        raise InvalidValueError("filled_at", f"{shown(text)} is not YYYY-MM-DD HH:MM:SS[.ffff]")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidValueError("filled_at", f"{shown(text)} is not a valid time") from None
    return plausible_time(parsed.replace(tzinfo=UTC), "filled_at")


def _header(name: str, row: list[str]) -> dict[str, int]:
    columns = {cell.strip().strip('"').lower(): index for index, cell in enumerate(row)}
    missing = [column for column in REQUIRED if column not in columns]
    if missing:
        raise ImportFormatError(
            name,
            "not a Kraken trades export: the header lacks " + ", ".join(missing),
            line=1,
        )
    return columns


def read_kraken_trades(
    source: Source, exchange: str = "kraken", pair_map: Mapping[str, str] | None = None
) -> FillStream:
    """The fills of a Kraken trades export as a stream; the header is checked now.

    The file is read in blocks (:func:`~gal_friday.importers.common.read_lines`), so
    memory does not grow with its size; each row is validated when it is reached.
    ``pair_map`` maps pair codes to ``BASE/QUOTE`` by hand (see ``importers.pairs``).
    """
    codes = checked_pair_map(pair_map)
    reader_source = ByteSource(source)
    name = reader_source.name
    try:
        exchange = checked_exchange(name, exchange)
        reader = csv.reader(read_lines(reader_source), strict=True)
        header = csv_header(name, reader)
        columns = _header(name, header)
    except BaseException:
        reader_source.close()
        raise
    index = {column: columns[column] for column in REQUIRED}
    index.update({column: columns[column] for column in MARGIN_COLUMNS if column in columns})
    return FillStream(
        path=name,
        records=_rows(name, reader, len(header), index, exchange, codes),
        source=reader_source,
        id_column="txid",
        id_index=index["txid"] + 1,
    )


def _is_margin(row: list[str], index: dict[str, int]) -> bool:
    """True for an execution of a margin position (module docstring)."""
    stated = None
    position = index.get("margin")
    if position is not None and row[position].strip():
        stated = parse_decimal(row[position], "margin")
        if stated:
            return True
    if any(
        row[index[column]].strip() for column in ("posstatus", "posstatuscode") if column in index
    ):
        return True
    position = index.get("misc")
    # an explicit margin of 0 says spot, whatever ``misc`` says
    return (
        stated is None
        and position is not None
        and bool(MARGIN_FLAGS.intersection(f.strip().lower() for f in row[position].split(",")))
    )


def _rows(
    name: str,
    reader: Any,
    width: int,
    index: dict[str, int],
    exchange: str,
    pair_map: Mapping[str, str],
) -> Iterator[ImportedFill]:
    for start, row in csv_rows(name, reader, width):
        yield _record(name, start, row, index, exchange, pair_map)


def parse_kraken_trades(
    source: Source, exchange: str = "kraken", pair_map: Mapping[str, str] | None = None
) -> ImportBatch:
    """Every fill of a Kraken trades export, validated (see the module docstring)."""
    return collect(read_kraken_trades(source, exchange, pair_map))


def _record(
    name: str,
    line: int,
    row: list[str],
    index: dict[str, int],
    exchange: str,
    pair_map: Mapping[str, str],
) -> ImportedFill:
    try:
        pair = normalize_pair(row[index["pair"]], pair_map)
        margin = _is_margin(row, index)
        if margin:
            pair = margin_pair(pair)
        fill_side = side(row[index["type"]], "side")
        amounts: dict[str, Decimal] = {}
        prechecked = []
        for field, column in AMOUNTS:
            text = row[index[column]]
            # a plain amount is checked at once (the common case); anything else as ever
            amount = plain_amount(text)
            if amount is None:
                amount = parse_decimal(text, field)
            else:
                prechecked.append(field)
            amounts[field] = amount
        fill = checked(
            Fill,
            {
                "fill_id": row[index["txid"]],
                "trading_pair": pair,
                "exchange": exchange,
                "side": fill_side,
                **amounts,
                "commission_asset": pair.partition("/")[2],
                "filled_at": parse_time(row[index["time"]]),
                "exchange_order_id": row[index["ordertxid"]],
                **({"kind": FillKind.MARGIN} if margin else {}),
            },
            prechecked=prechecked,
        )
        kind = order_type(row[index["ordertype"]], "order_type")
    except InvalidValueError as exc:
        column = FIELD_COLUMNS.get(exc.field, exc.field)
        position = index.get(column)
        raise ImportFormatError(
            name,
            exc.problem,
            line=line,
            column=column,
            column_index=position + 1 if position is not None else None,
        ) from None
    if fill.exchange_order_id is None:
        raise InvariantError("a Kraken trade row names its order (ordertxid)")
    return ImportedFill(line=line, fill=fill, order_ref=fill.exchange_order_id, order_type=kind)
