"""Reading helpers shared by the importers: bytes to text, strict decimals, times, field errors.

Times (docs/importing.md): a fill's time must lie between :data:`EARLIEST` (the
first Bitcoin block, 2009-01-03) and one day after now; anything else is refused.
ccxt's ``timestamp`` is epoch *milliseconds*: a value that is only plausible as
seconds (or as microseconds) is refused with the reading it looks like, never
converted on a guess.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO

from gal_friday.domain import OrderType, Side
from gal_friday.domain.errors import InvalidValueError
from gal_friday.domain.values import exchange_id, shown
from gal_friday.importers.errors import ImportFormatError

Source = str | Path | IO[bytes]
Progress = Callable[[int], None]

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


def read_bytes(source: Source) -> tuple[str, bytes]:
    """The display name and the raw bytes of a path or a binary file object."""
    if isinstance(source, (str, Path)):
        path = Path(source)
        try:
            return str(path), path.read_bytes()
        except OSError as exc:
            raise ImportFormatError(str(path), f"cannot read the file: {exc.strerror}") from None
    return getattr(source, "name", "<stream>"), source.read()


def decode_utf8(name: str, data: bytes) -> str:
    """UTF-8 text (a leading BOM dropped); bad bytes are an error naming their line."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ImportFormatError(
            name, f"byte 0x{data[exc.start]:02x} is not valid UTF-8", line=line
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
