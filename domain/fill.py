"""A fill: one execution reported by the exchange for (part of) an order."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import NamedTuple, TypeAlias

import attrs

from gal_friday.domain import values as v
from gal_friday.domain.enums import LiquidityType, Side
from gal_friday.domain.errors import InvalidValueError


def check_base_fee(fill_id: str, side: Side, quantity: Decimal, fee: Decimal, asset: str) -> None:
    """A fee paid in the base asset must leave the fill moving some of it.

    A buy's fee must be below its quantity, and a sale's rebate (a negative fee)
    below the quantity sold; anything else moves no units, or fewer than none.
    """
    if side is Side.BUY and fee >= quantity:
        raise InvalidValueError(
            "commission",
            f"fill {fill_id!r} pays {fee} {asset} on a buy of "
            f"{quantity} {asset}: the fee must be below the quantity",
        )
    if side is Side.SELL and -fee >= quantity:
        raise InvalidValueError(
            "commission",
            f"fill {fill_id!r} gets a rebate of {-fee} {asset} on a sale of "
            f"{quantity} {asset}: the rebate must be below the quantity",
        )


@attrs.define(slots=False, eq=False, field_transformer=v.apply_checks)
class Fill:
    """One execution. ``quantity_filled`` is in the base asset, ``fill_price`` in the quote.

    ``commission`` is paid in ``commission_asset``: the quote asset, the base
    asset, or a third asset (:mod:`gal_friday.domain.trade_builder` values each;
    docs/trading-rules.md, "Pairs and commission assets").
    A negative commission is a rebate (a maker's income) and counts with its sign.
    """

    fill_id: str = attrs.field(metadata=v.check(v.external_id))
    trading_pair: str = attrs.field(metadata=v.check(v.trading_pair))
    exchange: str = attrs.field(metadata=v.check(v.exchange_id))
    side: Side = attrs.field(metadata=v.check(v.enum_of(Side)))
    quantity_filled: Decimal = attrs.field(metadata=v.check(v.money))
    fill_price: Decimal = attrs.field(metadata=v.check(v.money))
    commission: Decimal = attrs.field(metadata=v.check(v.commission))
    commission_asset: str = attrs.field(metadata=v.check(v.upper_code))
    filled_at: datetime = attrs.field(metadata=v.check(v.utc))
    liquidity_type: LiquidityType | None = attrs.field(
        default=None,
        metadata=v.check(v.enum_of(LiquidityType), optional=True),
    )
    exchange_order_id: str | None = attrs.field(
        default=None, metadata=v.check(v.external_id, optional=True)
    )
    fill_pk: int | None = attrs.field(default=None, kw_only=True)
    order_pk: int | None = attrs.field(default=None, kw_only=True)

    def __attrs_post_init__(self) -> None:
        if self.commission_asset == self.base_asset:
            check_base_fee(
                self.fill_id,
                self.side,
                self.quantity_filled,
                self.commission,
                self.commission_asset,
            )

    @property
    def base_asset(self) -> str:
        """The asset bought or sold (``BTC`` in ``BTC/USD``)."""
        return v.split_pair(self.trading_pair)[0]

    @property
    def quote_asset(self) -> str:
        """The asset prices are quoted in (``USD`` in ``BTC/USD``)."""
        return v.split_pair(self.trading_pair)[1]

    @property
    def notional(self) -> Decimal:
        """``quantity_filled * fill_price``, exact."""
        with v.exact():
            return self.quantity_filled * self.fill_price

    def same_execution(self, other: Fill) -> bool:
        """True when ``other`` reports the same execution with the same data (a replay)."""
        return (
            self.fill_id == other.fill_id
            and self.trading_pair == other.trading_pair
            and self.exchange == other.exchange
            and self.side == other.side
            and self.quantity_filled == other.quantity_filled
            and self.fill_price == other.fill_price
            and self.commission == other.commission
            and self.commission_asset == other.commission_asset
            and self.filled_at == other.filled_at
        )

    @property
    def sort_key(self) -> tuple[datetime, str]:
        """Time order, ties broken by fill id."""
        return (self.filled_at, self.fill_id)


class FillRecord(NamedTuple):
    """A stored fill as a plain read-only record: what a replay (a trade rebuild) reads.

    Cheaper to make than a :class:`Fill` and read the same way by the trade
    builder; the field order is the one it reads in.
    """

    exchange: str
    trading_pair: str
    side: Side
    quantity_filled: Decimal
    fill_price: Decimal
    commission: Decimal
    commission_asset: str
    filled_at: datetime
    fill_id: str
    order_pk: int | None


#: What the trade builder reads fills from.
FillView: TypeAlias = Fill | FillRecord


class StoredFill(NamedTuple):
    """What a re-import compares a file's fill with (a fill repository's ``stored_among``)."""

    fill_id: str
    trading_pair: str
    side: Side
    quantity_filled: Decimal
    fill_price: Decimal
    commission: Decimal
    commission_asset: str
    filled_at: datetime
    exchange_order_id: str | None
    fill_pk: int
