"""String-valued enumerations shared by the entities (their values are what is stored)."""

from __future__ import annotations

from enum import StrEnum


class Side(StrEnum):
    """The side of an order or a fill."""

    BUY = "BUY"
    SELL = "SELL"

    @property
    def sign(self) -> int:
        """+1 for a buy, -1 for a sell: the sign of the base quantity it moves."""
        return 1 if self is Side.BUY else -1

    @property
    def opposite(self) -> Side:
        """The other side."""
        return Side.SELL if self is Side.BUY else Side.BUY


class OrderType(StrEnum):
    """Order types Gal-Friday places."""

    LIMIT = "LIMIT"
    MARKET = "MARKET"
    STOP_LOSS = "STOP_LOSS"
    STOP_LOSS_LIMIT = "STOP_LOSS_LIMIT"
    TAKE_PROFIT = "TAKE_PROFIT"
    TAKE_PROFIT_LIMIT = "TAKE_PROFIT_LIMIT"

    @property
    def has_limit_price(self) -> bool:
        """True for the types an order must give a limit price for (LIMIT, *_LIMIT)."""
        return self in _LIMIT_TYPES

    @property
    def has_stop_price(self) -> bool:
        """True for the types an order must give a trigger price for (STOP_*, TAKE_*)."""
        return self in _STOP_TYPES


_LIMIT_TYPES = frozenset({OrderType.LIMIT, OrderType.STOP_LOSS_LIMIT, OrderType.TAKE_PROFIT_LIMIT})
_STOP_TYPES = frozenset(
    {
        OrderType.STOP_LOSS,
        OrderType.STOP_LOSS_LIMIT,
        OrderType.TAKE_PROFIT,
        OrderType.TAKE_PROFIT_LIMIT,
    }
)


class OrderStatus(StrEnum):
    """An order's lifecycle states (transitions: :mod:`gal_friday.domain.order`)."""

    PENDING_SUBMIT = "PENDING_SUBMIT"
    OPEN = "OPEN"
    PARTIALLY_FILLED = "PARTIALLY_FILLED"
    #: A cancel was sent, not confirmed yet: fills are still accepted (docs/orders.md).
    CANCEL_REQUESTED = "CANCEL_REQUESTED"
    FILLED = "FILLED"
    CANCELLED = "CANCELLED"
    REJECTED = "REJECTED"
    EXPIRED = "EXPIRED"

    @property
    def is_open(self) -> bool:
        """True while the order can still receive fills from the exchange."""
        return self in _OPEN_STATUSES


_OPEN_STATUSES = frozenset(
    {
        OrderStatus.PENDING_SUBMIT,
        OrderStatus.OPEN,
        OrderStatus.PARTIALLY_FILLED,
        OrderStatus.CANCEL_REQUESTED,
    }
)


class SignalStatus(StrEnum):
    """A signal's outcome."""

    PROPOSED = "PROPOSED"
    APPROVED = "APPROVED"
    REJECTED_RISK = "REJECTED_RISK"
    REJECTED_ERROR = "REJECTED_ERROR"


class TradeSide(StrEnum):
    """Direction of a round trip: LONG opened with a BUY, SHORT with a SELL."""

    LONG = "LONG"
    SHORT = "SHORT"

    @classmethod
    def opened_by(cls, side: Side) -> TradeSide:
        """The trade side that a first fill on ``side`` opens."""
        return cls.LONG if side is Side.BUY else cls.SHORT


class LiquidityType(StrEnum):
    """Whether a fill added (MAKER) or took (TAKER) liquidity."""

    MAKER = "MAKER"
    TAKER = "TAKER"


class TradeGrouping(StrEnum):
    """How fills are grouped into round-trip trades."""

    FLAT_TO_FLAT = "FLAT_TO_FLAT"
    FIFO = "FIFO"
    LIFO = "LIFO"
