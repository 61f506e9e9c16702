"""A round-trip trade: entry fills matched with exit fills.

Built by :mod:`gal_friday.domain.trade_builder` (docs/trading-rules.md, "Round-trip trades").

Amounts are in the quote asset. ``quantity`` is the base quantity entered
(for FIFO/LIFO, the quantity of the lot piece); ``open_quantity`` is what is
still held (zero once the trade is closed). ``entry_cash`` is the cash put in at
entry: entry notional plus (LONG) or minus (SHORT) the entry commissions in quote;
``realized_pnl_pct`` is ``100 * realized_pnl / entry_cash``, None when the entry cash
is not positive (a SHORT whose entry commissions exceed its entry notional). For an open trade
``exit_timestamp``, ``average_exit_price`` and ``realized_pnl_pct`` are None
and ``realized_pnl`` is what partial exits realized so far, net of every
commission paid so far.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import NamedTuple

import attrs

from gal_friday.domain import values as v
from gal_friday.domain.enums import TradeGrouping, TradeSide


@attrs.define(slots=False, eq=False, kw_only=True, field_transformer=v.apply_checks)
class Trade:
    """One round trip of a pair on an exchange."""

    trading_pair: str = attrs.field(metadata=v.check(v.trading_pair))
    exchange: str = attrs.field(metadata=v.check(v.exchange_id))
    side: TradeSide = attrs.field(metadata=v.check(v.enum_of(TradeSide)))
    entry_timestamp: datetime = attrs.field(metadata=v.check(v.utc))
    quantity: Decimal = attrs.field(metadata=v.check(v.money))
    average_entry_price: Decimal = attrs.field(metadata=v.check(v.money))
    total_commission: Decimal = attrs.field(default=Decimal(0), metadata=v.check(v.commission))
    realized_pnl: Decimal = attrs.field(default=Decimal(0), metadata=v.check(v.signed_money))
    entry_cash: Decimal = attrs.field(default=Decimal(0), metadata=v.check(v.signed_money))
    open_quantity: Decimal = attrs.field(default=Decimal(0), metadata=v.check(v.money_or_zero))
    exit_timestamp: datetime | None = attrs.field(
        default=None, metadata=v.check(v.utc, optional=True)
    )
    average_exit_price: Decimal | None = attrs.field(
        default=None, metadata=v.check(v.money, optional=True)
    )
    realized_pnl_pct: Decimal | None = attrs.field(
        default=None,
        metadata=v.check(v.signed_money, optional=True),
    )
    trade_id: uuid.UUID = attrs.field(factory=uuid.uuid4, metadata=v.check(v.to_uuid))
    grouping: TradeGrouping = attrs.field(
        default=TradeGrouping.FLAT_TO_FLAT,
        metadata=v.check(v.enum_of(TradeGrouping)),
    )
    strategy_id: str | None = None
    signal_id: uuid.UUID | None = attrs.field(
        default=None, metadata=v.check(v.to_uuid, optional=True)
    )
    entry_order_pk: int | None = None
    exit_order_pk: int | None = None
    exit_reason: str | None = None
    trade_pk: int | None = None

    @property
    def is_closed(self) -> bool:
        """True once the position of this trade is flat."""
        return self.exit_timestamp is not None

    @property
    def gross_pnl(self) -> Decimal:
        """``realized_pnl + total_commission``: the PnL before any commission."""
        with v.exact():
            return v.tidy(self.realized_pnl + self.total_commission)


class TradeFigures(NamedTuple):
    """A stored trade's figures, as a report reads them: plain values, no object to track.

    What :mod:`gal_friday.domain.performance` and the report's statistics, periods and
    conversion need of a :class:`Trade`; a repository reads these straight from rows.
    """

    exchange: str
    trading_pair: str
    side: TradeSide
    grouping: TradeGrouping
    entry_timestamp: datetime
    exit_timestamp: datetime | None
    realized_pnl: Decimal
    total_commission: Decimal
    entry_cash: Decimal
    open_quantity: Decimal
    average_entry_price: Decimal
    #: Attribution (docs/attribution.md): None when the trade's orders say nothing.
    strategy_id: str | None = None
    signal_id: uuid.UUID | None = None
    exit_reason: str | None = None

    @property
    def is_closed(self) -> bool:
        """True once the position of this trade is flat."""
        return self.exit_timestamp is not None

    @classmethod
    def of(cls, trade: Trade) -> TradeFigures:
        """The figures of ``trade`` (its attributes of the same names)."""
        return cls._make(getattr(trade, name) for name in cls._fields)


#: A trade as the report counts it: a whole trade, or its figures.
ReportedTrade = Trade | TradeFigures
