"""Reading helpers shared by the importers: bytes to text, strict decimals, field errors."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO

from gal_friday.domain import OrderType, Side
from gal_friday.domain.errors import InvalidValueError
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
        raise InvalidValueError(field, f"{text!r} is not a decimal number")
    try:
        return Decimal(value)
    except InvalidOperation:
        raise InvalidValueError(field, f"{text!r} is not a decimal number") from None


def order_type(text: str, field: str) -> OrderType:
    """The domain order type of an exchange's order type name."""
    key = text.strip().lower()
    if key not in ORDER_TYPES:
        known = ", ".join(sorted(ORDER_TYPES))
        raise InvalidValueError(field, f"{text!r} is not a known order type ({known})")
    return ORDER_TYPES[key]


def side(text: str, field: str) -> Side:
    """``BUY`` or ``SELL`` from ``buy``/``sell`` in any case."""
    value = text.strip().upper()
    if value not in ("BUY", "SELL"):
        raise InvalidValueError(field, f"{text!r} is not buy or sell")
    return Side(value)
