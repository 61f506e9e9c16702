"""Reading helpers shared by the importers: bytes to text, strict decimals, times, field errors.

Files are read in blocks (bounded memory, early refusal of what is not a trade
export, see docs/import-flow.md).

Times (docs/importing.md): a fill's time must lie between :data:`EARLIEST` (the
first Bitcoin block, 2009-01-03) and one day after now; anything else is refused.
ccxt's ``timestamp`` is epoch *milliseconds*: a value that is only plausible as
seconds (or as microseconds) is refused with the reading it looks like, never
converted on a guess.
"""

from __future__ import annotations

import csv
import os
import stat
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any, Protocol

from gal_friday.domain import OrderType, Side
from gal_friday.domain.errors import InvalidValueError
from gal_friday.domain.values import exchange_id, shown
from gal_friday.importers.errors import ImportFormatError

Source = str | Path | IO[bytes]

#: Exchange order types and what they are in the domain. ``settle-position`` closes a
#: margin position at market; trailing stops trigger like stops; iceberg orders are limits.
ORDER_TYPES = {
    "market": OrderType.MARKET,
    "limit": OrderType.LIMIT,
    "stop-loss": OrderType.STOP_LOSS,
    "stop_loss": OrderType.STOP_LOSS,
    "stop-loss-limit": OrderType.STOP_LOSS_LIMIT,
    "stop_loss_limit": OrderType.STOP_LOSS_LIMIT,
    "take-profit": OrderType.TAKE_PROFIT,
    "take_profit": OrderType.TAKE_PROFIT,
    "take-profit-limit": OrderType.TAKE_PROFIT_LIMIT,
    "take_profit_limit": OrderType.TAKE_PROFIT_LIMIT,
    "settle-position": OrderType.MARKET,
    "trailing-stop": OrderType.STOP_LOSS,
    "trailing-stop-limit": OrderType.STOP_LOSS_LIMIT,
    "iceberg": OrderType.LIMIT,
    "stop": OrderType.STOP_LOSS,
    "stop-limit": OrderType.STOP_LOSS_LIMIT,
}

_DECIMAL_CHARS = frozenset("0123456789.-+")

#: The first Bitcoin block: no crypto fill happened before it.
EARLIEST = datetime(2009, 1, 3, tzinfo=UTC)
#: How far past the current time a fill may be stamped (clock skew between machines).
FUTURE_SLACK = timedelta(days=1)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MS_PER_SECOND = 1000
_MAX_DIGITS = 20


#: The longest line a CSV export may have (Kraken's rows are a few hundred bytes).
MAX_LINE_BYTES = 64 * 1024
#: How much of the file is read at a time.
READ_BLOCK = 256 * 1024


class Progress(Protocol):
    """Told how far an import is: ``phase`` (see :data:`PHASES`), ``done`` of ``total``.

    ``total`` is ``None`` when it cannot be known (a pipe, a device): show activity only.
    """

    def __call__(self, phase: str, done: int, total: int | None) -> None: ...


#: The phases of an import, in order: bytes read (parsing and writing go together),
#: pairs whose trades were rebuilt, then the commit.
READING, REBUILDING, COMMITTING = "reading", "rebuilding trades", "committing"
PHASES = (READING, REBUILDING, COMMITTING)


class ByteSource:
    """A file read block by block: its display name, size (``None`` if not a regular file),
    and how many bytes were read so far (what the progress bar shows).
    """

    def __init__(self, source: Source) -> None:
        if isinstance(source, (str, Path)):
            path = Path(source)
            self.name = str(path)
            try:
                self._handle: IO[bytes] = path.open("rb")
                info = os.fstat(self._handle.fileno())
            except OSError as exc:
                raise ImportFormatError(
                    self.name, f"cannot read the file: {exc.strerror}"
                ) from None
            self.size: int | None = info.st_size if stat.S_ISREG(info.st_mode) else None
            self._owned = True
        else:
            self.name = getattr(source, "name", "<stream>")
            self._handle = source
            self.size = None
            self._owned = False
        self.read_so_far = 0

    def read(self, size: int = READ_BLOCK) -> bytes:
        """Up to ``size`` bytes; ``b""`` at the end."""
        try:
            data = self._handle.read(size)
        except OSError as exc:
            raise ImportFormatError(self.name, f"cannot read the file: {exc.strerror}") from None
        self.read_so_far += len(data)
        return data

    def close(self) -> None:
        """Close the file if this reader opened it."""
        if self._owned:
            self._handle.close()


def read_lines(
    source: ByteSource, max_line: int = MAX_LINE_BYTES, *, what: str = "a trade export"
) -> Iterator[str]:
    """The file's lines as text, line ends kept (what ``csv.reader`` wants), read in blocks.

    Refused with the line number: a NUL byte anywhere in a block read (binary
    content, refused before its lines are parsed), a line longer than ``max_line``
    bytes (so an endless file such as ``/dev/zero`` stops at once), bytes that are not
    UTF-8. A leading UTF-8 BOM is dropped. ``what`` names the kind of file expected
    in those messages.
    """
    number = 0
    pending = b""
    first = True
    while True:
        block = source.read()
        if not block:
            break
        data = pending + block if pending else block
        nul = data.find(b"\0")
        if nul >= 0:
            line = number + data.count(b"\n", 0, nul) + 1
            raise ImportFormatError(
                source.name, f"binary content (a NUL byte): not {what}", line=line
            )
        start = 0
        while True:
            end = data.find(b"\n", start)
            if end < 0:
                break
            number += 1
            yield _text(source.name, data[start : end + 1], number, max_line, first, what)
            first = False
            start = end + 1
        pending = data[start:]
        if len(pending) > max_line:
            raise ImportFormatError(
                source.name,
                f"a line longer than {max_line:,} bytes: not {what}",
                line=number + 1,
            )
    if pending:
        yield _text(source.name, pending, number + 1, max_line, first, what)


def csv_header(name: str, reader: Any) -> list[str]:
    """The header row of a CSV export read by ``reader`` (a ``csv.reader``); an empty file
    or a malformed header is refused on line 1."""
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise ImportFormatError(name, f"malformed CSV: {exc}", line=1) from None
    if header is None or not any(cell.strip() for cell in header):
        raise ImportFormatError(name, "the file is empty", line=1)
    return list(header)


def csv_rows(name: str, reader: Any, width: int) -> Iterator[tuple[int, list[str]]]:
    """``(line, row)`` for every row after the header; blank lines are skipped and a row
    not as wide as the header is refused, naming its line."""
    line = reader.line_num
    while True:
        start = line + 1
        try:
            row = next(reader, None)
        except csv.Error as exc:
            raise ImportFormatError(name, f"malformed CSV: {exc}", line=start) from None
        if row is None:
            return
        line = reader.line_num
        if not row or (len(row) == 1 and not row[0].strip()):
            continue  # blank line
        if len(row) != width:
            raise ImportFormatError(
                name, f"expected {width} fields as in the header, found {len(row)}", line=start
            )
        yield start, row


def _text(name: str, data: bytes, line: int, max_line: int, first: bool, what: str) -> str:
    if len(data) > max_line:
        raise ImportFormatError(
            name, f"a line longer than {max_line:,} bytes: not {what}", line=line
        )
    return decode_utf8(name, data, line=line, strip_bom=first)


def decode_utf8(name: str, data: bytes, *, line: int = 1, strip_bom: bool = True) -> str:
    """UTF-8 text (a leading BOM dropped when ``strip_bom``); bad bytes are an error naming
    their line (``line`` is the line ``data`` starts on)."""
    try:
        return data.decode("utf-8-sig" if strip_bom else "utf-8")
    except UnicodeDecodeError as exc:
        where = line + data[: exc.start].count(b"\n")
        raise ImportFormatError(
            name, f"byte 0x{data[exc.start]:02x} is not valid UTF-8", line=where
        ) from None


def parse_decimal(text: str, field: str) -> Decimal:
    """A plain decimal number (no exponent, NaN or infinity)."""
    value = text.strip()
    if not value or not _DECIMAL_CHARS.issuperset(value):
        raise InvalidValueError(field, f"{shown(text)} is not a decimal number")
    try:
        return Decimal(value)
    except InvalidOperation:
        raise InvalidValueError(field, f"{shown(text)} is not a decimal number") from None


def order_type(text: str, field: str) -> OrderType:
    """The domain order type of an exchange's order type name."""
    key = text.strip().lower()
    if key not in ORDER_TYPES:
        known = ", ".join(sorted(ORDER_TYPES))
        raise InvalidValueError(field, f"{shown(text)} is not a known order type ({known})")
    return ORDER_TYPES[key]


def side(text: str, field: str) -> Side:
    """``BUY`` or ``SELL`` from ``buy``/``sell`` in any case."""
    value = text.strip().upper()
    if value not in ("BUY", "SELL"):
        raise InvalidValueError(field, f"{shown(text)} is not buy or sell")
    return Side(value)


def latest_time() -> datetime:
    """The latest plausible fill time: now plus :data:`FUTURE_SLACK`."""
    return datetime.now(UTC) + FUTURE_SLACK


def plausible_time(value: datetime, field: str) -> datetime:
    """``value`` unless it is before 2009-01-03 or more than a day in the future."""
    if value < EARLIEST:
        raise InvalidValueError(
            field, f"{value.isoformat()} is before {EARLIEST.date()}: not a crypto fill's time"
        )
    if value > latest_time():
        raise InvalidValueError(field, f"{value.isoformat()} is more than a day in the future")
    return value


def _millis_time(millis: int) -> datetime:
    return _EPOCH + timedelta(milliseconds=millis)


def epoch_millis(number: Decimal, field: str) -> datetime:
    """The UTC time of epoch milliseconds, refusing seconds, microseconds and implausible times."""
    if number != number.to_integral_value():
        raise InvalidValueError(field, f"{shown(number)} is not a whole number of milliseconds")
    if number.adjusted() > _MAX_DIGITS:  # never build a huge int to refuse it
        raise InvalidValueError(field, f"{shown(number)} milliseconds is far out of range")
    millis = int(number)
    earliest = int((EARLIEST - _EPOCH).total_seconds()) * _MS_PER_SECOND
    latest = int((latest_time() - _EPOCH).total_seconds()) * _MS_PER_SECOND
    if earliest <= millis <= latest:
        return _millis_time(millis)
    if earliest <= millis * _MS_PER_SECOND <= latest:
        seconds = _millis_time(millis * _MS_PER_SECOND).isoformat()
        raise InvalidValueError(
            field,
            f"{millis} looks like epoch seconds ({seconds}); ccxt's timestamp is in "
            f"milliseconds: {millis * _MS_PER_SECOND}",
        )
    if earliest <= millis // _MS_PER_SECOND <= latest:
        micros = _millis_time(millis // _MS_PER_SECOND).isoformat()
        raise InvalidValueError(
            field,
            f"{millis} looks like epoch microseconds ({micros}); ccxt's timestamp is in "
            "milliseconds",
        )
    when = "before 2009-01-03" if millis < earliest else "more than a day in the future"
    raise InvalidValueError(field, f"{shown(number)} milliseconds is {when}")


def checked_exchange(name: str, exchange: str) -> str:
    """The exchange id in ccxt's form, or an error naming the file."""
    try:
        return exchange_id(exchange, "exchange")
    except InvalidValueError as exc:
        raise ImportFormatError(name, f"exchange: {exc.problem}") from None
