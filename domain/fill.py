"""A fill: one execution reported by the exchange for (part of) an order."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import NamedTuple, TypeAlias

import attrs

from gal_friday.domain import values as v
from gal_friday.domain.enums import LiquidityType, Side
from gal_friday.domain.errors import InvalidValueError


class FillKind(StrEnum):
    """Where a fill comes from (docs/ledgers.md, "Conversions" and "Margin").

    ``TRADE``: an order book execution; ``CONVERSION``: an instant buy or sell the
    ledger records as ``spend``/``receive``, ``sale`` or paired ``adjustment`` rows;
    ``MARGIN``: an execution of a margin position (its pair carries :data:`MARGIN_MARK`).
    """

    TRADE = "TRADE"
    CONVERSION = "CONVERSION"
    MARGIN = "MARGIN"


#: What a margin fill's base asset ends with, so that its positions and trades never mix
#: with spot holdings of the same asset: ``ADA/EUR`` on margin is ``ADA.MARGIN/EUR``.
MARGIN_MARK = ".MARGIN"


def margin_pair(pair: str) -> str:
    """``ADA/EUR`` -> ``ADA.MARGIN/EUR`` (unchanged when already marked)."""
    base, _, quote = pair.partition("/")
    return pair if base.endswith(MARGIN_MARK) else f"{base}{MARGIN_MARK}/{quote}"


def spot_pair(pair: str) -> str:
    """``ADA.MARGIN/EUR`` -> ``ADA/EUR``: the market a margin pair trades on."""
    base, _, quote = pair.partition("/")
    return f"{base.removesuffix(MARGIN_MARK)}/{quote}"


#: No commission in another asset.
NO_EXTRA: Mapping[str, Decimal] = MappingProxyType({})


def commission_map(value: object, field: str) -> dict[str, Decimal]:
    """Amounts per asset (commissions or figures), each a storable Decimal of any sign."""
    if not isinstance(value, Mapping):
        raise InvalidValueError(field, "must be a mapping of asset to amount")
    return {
        v.upper_code(asset, field): v.commission(amount, f"{field}[{asset!r}]")
        for asset, amount in value.items()
    }


#: What a fill keeps of trades.csv when the ledger replaced its figures.
REPORTED_FIELDS = frozenset({"fill_price", "commission"})


def reported_map(value: object, field: str) -> dict[str, Decimal]:
    """trades.csv figures by field name (:data:`REPORTED_FIELDS`), storable Decimals."""
    if not isinstance(value, Mapping):
        raise InvalidValueError(field, "must be a mapping of field name to amount")
    unknown = set(value) - REPORTED_FIELDS
    if unknown:
        raise InvalidValueError(field, f"unknown figures {sorted(unknown)}")
    return {name: v.commission(amount, f"{field}[{name!r}]") for name, amount in value.items()}


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


def check_commissions(fill: Fill) -> None:
    """A fill's extra commissions are non-zero, in other assets than ``commission_asset``,
    and a base-asset fee leaves it moving some of the base asset."""
    if not fill.extra_commissions:  # the common case, as cheap as ever
        if fill.commission_asset == fill.base_asset:
            check_base_fee(
                fill.fill_id, fill.side, fill.quantity_filled, fill.commission, fill.base_asset
            )
        return
    for asset, amount in fill.extra_commissions.items():
        if asset == fill.commission_asset or not amount:
            raise InvalidValueError(
                "extra_commissions",
                f"fill {fill.fill_id!r}: {amount} {asset} is zero or in its commission asset "
                f"{fill.commission_asset}",
            )
    base_fee = fill.commissions.get(fill.base_asset)
    if base_fee is not None:
        check_base_fee(fill.fill_id, fill.side, fill.quantity_filled, base_fee, fill.base_asset)


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
    #: Commissions paid in other assets than ``commission_asset`` (a trade charged on both
    #: legs: docs/ledgers.md, "Differences"), each valued as a commission in that asset.
    extra_commissions: dict[str, Decimal] = attrs.field(
        factory=dict, kw_only=True, metadata=v.check(commission_map)
    )
    kind: FillKind = attrs.field(
        default=FillKind.TRADE, kw_only=True, metadata=v.check(v.enum_of(FillKind))
    )
    #: The trades.csv figures the ledger replaced (``fill_price``; ``commission`` in the
    #: quote asset), kept for reference; empty when the two files agree.
    reported: dict[str, Decimal] = attrs.field(
        factory=dict, kw_only=True, metadata=v.check(reported_map)
    )

    def __attrs_post_init__(self) -> None:
        check_commissions(self)

    @property
    def commissions(self) -> dict[str, Decimal]:
        """Every commission of the fill by asset (``commission`` and the extra ones)."""
        paid = {self.commission_asset: self.commission}
        for asset, amount in self.extra_commissions.items():
            paid[asset] = paid.get(asset, Decimal(0)) + amount
        return paid

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
            and self.extra_commissions == other.extra_commissions
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
    #: Commissions in other assets than ``commission_asset`` (read-only).
    extra_commissions: Mapping[str, Decimal] = NO_EXTRA


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
