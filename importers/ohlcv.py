"""Candle files: Kraken's OHLCVT CSV history and ccxt ``fetch_ohlcv`` JSON (docs/analytics.md).

* ``kraken-ohlcvt``: CSV without a header, one candle a line:
  ``unix time of the candle's open, open, high, low, close, volume, trades``.
  Kraken names the files ``<PAIR>_<MINUTES>.csv`` (``XBTUSD_1440.csv``): the pair
  and the interval are read from the name when not given (:func:`kraken_file_name`).
* ``ccxt-ohlcv``: a JSON array of ``[milliseconds, open, high, low, close, volume]``.

Numbers are read as ``Decimal`` (never ``float``). Both readers are generators that
read the file a piece at a time, so memory stays flat however long the history;
a bad row raises :class:`ImportFormatError` naming ``file:line`` (or the entry) and
the field. Each candle comes with its :class:`Location`.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import IO, Any, NamedTuple

from gal_friday.domain.candles import Candle
from gal_friday.domain.errors import InvalidValueError
from gal_friday.domain.values import exchange_id, shown
from gal_friday.importers.common import EARLIEST, epoch_millis, latest_time, parse_decimal
from gal_friday.importers.errors import ImportFormatError
from gal_friday.importers.pairs import normalize_pair


class Location(NamedTuple):
    """Where a candle was read: a CSV line or a JSON entry of a file."""

    path: str
    line: int | None = None
    entry: int | None = None


#: A candle with where it was read.
Located = tuple[Location, Candle]

KRAKEN_FIELDS = ("time", "open", "high", "low", "close", "volume", "trades")
CCXT_FIELDS = ("timestamp", "open", "high", "low", "close", "volume")
_KRAKEN_NAME = re.compile(r"([A-Za-z0-9.]+)_(\d{1,6})")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_CHUNK = 1 << 16


def kraken_file_name(path: str | Path) -> tuple[str, int] | None:
    """``(pair, interval seconds)`` from a Kraken file name (``XBTUSD_1440.csv``).

    None when the name is not ``<PAIR>_<MINUTES>`` with a pair code of Kraken's assets.
    """
    match = _KRAKEN_NAME.fullmatch(Path(path).stem)
    if match is None or int(match.group(2)) == 0:
        return None
    try:
        return normalize_pair(match.group(1)), int(match.group(2)) * 60
    except InvalidValueError:  # not a Kraken pair code: the name says nothing
        return None


def _open_time_seconds(text: str, field: str) -> datetime:
    number = parse_decimal(text, field)
    if number != number.to_integral_value():
        raise InvalidValueError(field, f"{shown(text)} is not a whole number of seconds")
    if number.adjusted() > 12:
        raise InvalidValueError(field, f"{shown(text)} seconds is far out of range")
    at = _EPOCH + timedelta(seconds=int(number))
    if not EARLIEST <= at <= latest_time():
        raise InvalidValueError(field, f"{at.isoformat()} is not a plausible candle time")
    return at


def _trade_count(text: str, field: str) -> int:
    number = parse_decimal(text, field)
    if number != number.to_integral_value() or number < 0 or number.adjusted() > 15:
        raise InvalidValueError(field, f"{shown(text)} is not a whole number of trades")
    return int(number)


def _candle(
    exchange: str, pair: str, interval_s: int, at: datetime, figures: list[Any], trades: int | None
) -> Candle:
    open_, high, low, close, volume = figures
    return Candle(
        exchange=exchange,
        trading_pair=pair,
        interval_s=interval_s,
        open_time=at,
        open=open_,
        high=high,
        low=low,
        close=close,
        volume=volume,
        trade_count=trades,
    )


def _field_of(exc: InvalidValueError, fields: tuple[str, ...]) -> tuple[str, int | None]:
    name = {"trade_count": "trades", "open_time": fields[0]}.get(exc.field, exc.field)
    return name, (fields.index(name) + 1 if name in fields else None)


def _open(source: str | Path | IO[bytes]) -> tuple[str, IO[bytes]]:
    if isinstance(source, (str, Path)):
        try:
            return str(source), Path(source).open("rb")
        except OSError as exc:
            raise ImportFormatError(str(source), f"cannot read the file: {exc.strerror}") from None
    return getattr(source, "name", "<stream>"), source


def parse_kraken_ohlcvt(
    source: str | Path | IO[bytes], *, trading_pair: str, interval_s: int, exchange: str = "kraken"
) -> Iterator[Located]:
    """Candles of a Kraken OHLCVT CSV (see the module docstring), one line at a time."""
    name, handle = _open(source)
    exchange = exchange_id(exchange, "exchange")
    try:
        for number, raw in enumerate(handle, start=1):
            try:
                line = raw.decode("utf-8-sig" if number == 1 else "utf-8").strip()
            except UnicodeDecodeError:
                raise ImportFormatError(name, "the line is not valid UTF-8", line=number) from None
            if not line:
                continue
            cells = line.split(",")
            if len(cells) != len(KRAKEN_FIELDS):
                raise ImportFormatError(
                    name,
                    f"{len(cells)} fields, expected {len(KRAKEN_FIELDS)} "
                    f"({', '.join(KRAKEN_FIELDS)})",
                    line=number,
                )
            try:
                at = _open_time_seconds(cells[0], "time")
                figures = [
                    parse_decimal(cell, f)
                    for cell, f in zip(cells[1:6], KRAKEN_FIELDS[1:6], strict=True)
                ]
                trades = _trade_count(cells[6], "trades")
                candle = _candle(exchange, trading_pair, interval_s, at, figures, trades)
            except InvalidValueError as exc:
                column, index = _field_of(exc, KRAKEN_FIELDS)
                raise ImportFormatError(
                    name, exc.problem, line=number, column=column, column_index=index
                ) from None
            yield Location(name, line=number), candle
    finally:
        if isinstance(source, (str, Path)):
            handle.close()


def _json_elements(name: str, handle: IO[bytes]) -> Iterator[tuple[int, Any]]:
    """The elements of a top-level JSON array, decoded one at a time (numbers as Decimal)."""
    decoder = json.JSONDecoder(parse_float=Decimal, parse_int=Decimal)
    text_decoder = codecs.getincrementaldecoder("utf-8-sig")()  # a character cut between reads
    buffer = ""
    eof = False
    position = 0

    def more() -> bool:
        nonlocal buffer, eof, position
        if eof:
            return False
        chunk = handle.read(_CHUNK)
        eof = not chunk
        try:
            text = text_decoder.decode(chunk, final=eof)
        except UnicodeDecodeError:
            raise ImportFormatError(name, "the file is not valid UTF-8") from None
        buffer = buffer[position:] + text
        position = 0
        return not eof

    def skip_space() -> str:
        nonlocal position
        while True:
            while position < len(buffer) and buffer[position].isspace():
                position += 1
            if position < len(buffer):
                return buffer[position]
            if not more():
                return ""

    if skip_space() != "[":
        raise ImportFormatError(
            name, "expected a JSON array of candles ([[ms, o, h, l, c, v], ...])"
        )
    position += 1
    index = 0
    if skip_space() == "]":
        return
    while True:
        skip_space()
        while True:
            try:
                element, end = decoder.raw_decode(buffer, position)
                if end == len(buffer) and more():  # a number may go on in the next piece
                    continue
                break
            except json.JSONDecodeError as exc:
                if more():
                    continue
                raise ImportFormatError(name, f"invalid JSON: {exc.msg}", entry=index) from None
        position = end
        yield index, element
        index += 1
        separator = skip_space()
        position += 1
        if separator == "]":
            if skip_space():
                raise ImportFormatError(name, "text after the end of the JSON array")
            return
        if separator != ",":
            raise ImportFormatError(name, "invalid JSON: expected ',' or ']'", entry=index)


def parse_ccxt_ohlcv(
    source: str | Path | IO[bytes], *, trading_pair: str, interval_s: int, exchange: str = "kraken"
) -> Iterator[Located]:
    """Candles of a ccxt ``fetch_ohlcv`` JSON array (see the module docstring), one at a time."""
    name, handle = _open(source)
    exchange = exchange_id(exchange, "exchange")
    try:
        for index, element in _json_elements(name, handle):
            if not isinstance(element, list) or len(element) != len(CCXT_FIELDS):
                raise ImportFormatError(
                    name, f"expected [{', '.join(CCXT_FIELDS)}], got {shown(element)}", entry=index
                )
            try:
                for value, field in zip(element, CCXT_FIELDS, strict=True):
                    if not isinstance(value, Decimal):
                        raise InvalidValueError(field, f"{shown(value)} is not a number")
                at = epoch_millis(element[0], "timestamp")
                candle = _candle(exchange, trading_pair, interval_s, at, element[1:], None)
            except InvalidValueError as exc:
                column, _ = _field_of(exc, CCXT_FIELDS)
                raise ImportFormatError(name, exc.problem, entry=index, column=column) from None
            yield Location(name, entry=index), candle
    finally:
        if isinstance(source, (str, Path)):
            handle.close()
