"""Paged history: pages, their order and the keyset cursor (docs/reads.md, "Paged history").

A cursor is an opaque string that encodes what the next page continues from: the kind
of rows (``fills``, ``orders``, ``trades``), the order (newest or oldest first) and the
``(time, key)`` of the last row of the page. The next page holds the rows strictly after
that point in the same order, so each row is visited exactly once even when many share
a time (the key breaks ties) and rows written meanwhile at later times (oldest first)
are not skipped. A cursor given to another kind of rows or another order is refused.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from typing import Generic, TypeVar

import attrs

from gal_friday.domain import values as v
from gal_friday.domain.errors import InvalidValueError

T = TypeVar("T")
#: The largest page a read returns.
MAX_PAGE_SIZE = 10_000
_VERSION = "1"


class HistoryOrder(StrEnum):
    """Which rows come first."""

    NEWEST_FIRST = "newest"
    OLDEST_FIRST = "oldest"


@attrs.frozen
class Cursor:
    """Where a page ends: ``(time, key)`` of its last row, for one kind of rows and order."""

    kind: str
    order: HistoryOrder
    time: datetime
    key: int

    def encode(self) -> str:
        """The opaque string handed to the caller."""
        text = "|".join(
            [_VERSION, self.kind, self.order.value, self.time.isoformat(), str(self.key)]
        )
        return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, cursor: str, kind: str, order: HistoryOrder) -> Cursor:
        """The cursor a page of ``kind`` in ``order`` continues from; a bad one names the field."""
        try:
            padded = cursor + "=" * (-len(cursor) % 4)
            text = base64.urlsafe_b64decode(padded.encode("ascii")).decode()
            version, found_kind, found_order, at, key = text.split("|")
            decoded = cls(
                found_kind,
                HistoryOrder(found_order),
                v.utc(datetime.fromisoformat(at), "cursor"),
                int(key),
            )
        except (ValueError, UnicodeError, binascii.Error):
            raise InvalidValueError(
                "cursor", f"{v.shown(cursor)} is not a cursor of this library"
            ) from None
        if version != _VERSION:
            raise InvalidValueError("cursor", f"version {version} is not {_VERSION}")
        if (decoded.kind, decoded.order) != (kind, order):
            raise InvalidValueError(
                "cursor",
                f"continues {decoded.kind} {decoded.order.value} first,"
                f" not {kind} {order.value} first",
            )
        return decoded


def _pair(value: object) -> str | None:
    return None if value is None else v.trading_pair(value)


def _exchange(value: object) -> str | None:
    return None if value is None else v.exchange_id(value)


def _since(value: object) -> datetime | None:
    return v.optional_utc(value, "since")


def _until(value: object) -> datetime | None:
    return v.optional_utc(value, "until")


@attrs.frozen
class HistoryFilter:
    """Which rows a history read covers: pair, exchange, strategy and ``[since, until)``."""

    trading_pair: str | None = attrs.field(default=None, converter=_pair)
    exchange: str | None = attrs.field(default=None, converter=_exchange)
    strategy_id: str | None = None
    since: datetime | None = attrs.field(default=None, converter=_since)
    until: datetime | None = attrs.field(default=None, converter=_until)


@attrs.frozen
class Page(Generic[T]):
    """One page of rows, the cursor of the next (``None`` on the last) and, if asked, the count."""

    items: Sequence[T]
    next_cursor: str | None
    #: How many rows match the filters in all (``None`` unless asked for).
    total: int | None = None


def page_size(size: object) -> int:
    """A page size from 1 to :data:`MAX_PAGE_SIZE`."""
    if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= MAX_PAGE_SIZE:
        raise InvalidValueError(
            "limit", f"must be a whole number from 1 to {MAX_PAGE_SIZE}, not {v.shown(size)}"
        )
    return size
