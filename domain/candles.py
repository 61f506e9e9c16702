"""Price candles (OHLCV) and candle intervals (docs/analytics.md, "Prices").

A candle covers ``[open_time, open_time + interval)``; its ``close`` is the last price
of that span, so it *closes* at ``close_time``. Prices and volume are exact Decimals.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from decimal import Decimal

import attrs

from gal_friday.domain import values as v
from gal_friday.domain.errors import InvalidValueError

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_INTERVAL = re.compile(r"(\d{1,7})([smhdw])")


def parse_interval(text: str, field: str = "interval") -> int:
    """Seconds of an interval code: ``1m``, ``15m``, ``4h``, ``1d``, ``1w`` (``<n><s|m|h|d|w>``)."""
    match = _INTERVAL.fullmatch(text.strip().lower())
    if match is None or int(match.group(1)) == 0:
        raise InvalidValueError(
            field, f"{v.shown(text)} is not an interval such as 1m, 15m, 1h, 4h, 1d or 1w"
        )
    return int(match.group(1)) * _UNITS[match.group(2)]


def interval_code(seconds: int) -> str:
    """The shortest code of an interval in seconds (``86400`` -> ``1d``)."""
    for unit, size in sorted(_UNITS.items(), key=lambda item: -item[1]):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    raise AssertionError("every whole number of seconds has a code")  # pragma: no cover


def _interval(value: object, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise InvalidValueError(field, f"must be a positive number of seconds, got {value!r}")
    return value


def _price(value: object, field: str) -> Decimal:
    return v.money(value, field)


@attrs.frozen(field_transformer=v.apply_checks)
class Candle:
    """One OHLCV candle of a pair on an exchange; ``interval_s`` is its length in seconds."""

    exchange: str = attrs.field(metadata=v.check(v.exchange_id))
    trading_pair: str = attrs.field(metadata=v.check(v.trading_pair))
    interval_s: int = attrs.field(metadata=v.check(_interval))
    open_time: datetime = attrs.field(metadata=v.check(v.utc))
    open: Decimal = attrs.field(metadata=v.check(_price))
    high: Decimal = attrs.field(metadata=v.check(_price))
    low: Decimal = attrs.field(metadata=v.check(_price))
    close: Decimal = attrs.field(metadata=v.check(_price))
    volume: Decimal = attrs.field(metadata=v.check(v.money_or_zero))
    trade_count: int | None = attrs.field(default=None)

    def __attrs_post_init__(self) -> None:
        if self.low > min(self.open, self.close, self.high):
            raise InvalidValueError("low", f"{self.low} is above the open, close or high")
        if self.high < max(self.open, self.close, self.low):
            raise InvalidValueError("high", f"{self.high} is below the open, close or low")
        if self.trade_count is not None and (
            isinstance(self.trade_count, bool)
            or not isinstance(self.trade_count, int)
            or self.trade_count < 0
        ):
            raise InvalidValueError(
                "trades", f"must be a whole number >= 0, got {self.trade_count!r}"
            )

    @property
    def close_time(self) -> datetime:
        """When the candle closes: ``open_time + interval``."""
        return self.open_time + timedelta(seconds=self.interval_s)

    @property
    def key(self) -> tuple[str, str, int, datetime]:
        """What identifies a candle: exchange, pair, interval, open time."""
        return (self.exchange, self.trading_pair, self.interval_s, self.open_time)

    def same_values(self, other: Candle) -> bool:
        """True when ``other`` has the same key and the same figures (a re-import)."""
        return self.key == other.key and (
            self.open,
            self.high,
            self.low,
            self.close,
            self.volume,
            self.trade_count,
        ) == (other.open, other.high, other.low, other.close, other.volume, other.trade_count)
