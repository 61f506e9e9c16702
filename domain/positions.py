"""Positions and balances: the read model a portfolio manager starts from (docs/reads.md).

Holdings per asset are folded from *sums*, never from single fills, so storage can
compute them with indexed ``SUM``\\s grouped by pair and side:

* a pair's buys add ``Σ quantity`` of the base and take ``Σ quantity × price`` of the
  quote; its sells do the opposite (:class:`PairFlow`);
* fees take ``Σ commission`` of the asset they were paid in (:class:`FeeFlow`);
* ledger rows that are not fills move ``Σ amount - Σ fee`` of their asset (deposits,
  withdrawals and custody transfers, internal moves between wallets, income):
  :class:`LedgerFlow`, kept or left out by :func:`counts_in_holdings`.

A net position per pair comes from its open trade(s) (flat-to-flat has one, FIFO and
LIFO one per open lot): the held quantity, its average entry (weighted by the open
quantity), the PnL the open cycle already realized and when it opened; the unrealized
PnL is ``(mark - average entry) × quantity`` for a long and the opposite for a short,
at a mark price the caller gives. Sums and products are exact; an average is rounded
to 18 places, half-even.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import NamedTuple

import attrs

from gal_friday.domain import values as v
from gal_friday.domain.enums import Side, TradeSide
from gal_friday.domain.errors import InvalidValueError
from gal_friday.domain.ledger_kinds import LedgerKind, kind_of

_ZERO = Decimal(0)

#: Ledger row kinds that move holdings besides the fills (TRADE and CONVERSION rows are fills).
HOLDING_KINDS = frozenset({LedgerKind.EXTERNAL, LedgerKind.INTERNAL, LedgerKind.INCOME})
#: Ledger types whose rows are always legs of fills (trades, instant conversions): never counted.
FILL_TYPES = tuple(
    sorted(
        name
        for name in ("trade", "spend", "receive", "sale", "conversion")
        if kind_of(name) in (LedgerKind.TRADE, LedgerKind.CONVERSION)
    )
)


class PairFlow(NamedTuple):
    """What the fills of one pair and side moved: ``Σ quantity`` and ``Σ quantity × price``."""

    exchange: str
    trading_pair: str
    side: Side
    quantity: Decimal
    notional: Decimal


class FeeFlow(NamedTuple):
    """``Σ commission`` the fills of one exchange paid in one asset."""

    exchange: str
    asset: str
    commission: Decimal


class LedgerFlow(NamedTuple):
    """``Σ amount`` and ``Σ fee`` of one exchange's booked ledger rows of one asset and type."""

    exchange: str
    asset: str
    type: str
    subtype: str | None
    credit: bool  # the rows' amounts are positive (a transfer's kind depends on it)
    amount: Decimal
    fee: Decimal


class OpenLot(NamedTuple):
    """The figures of one open trade that a position needs."""

    exchange: str
    trading_pair: str
    side: TradeSide
    open_quantity: Decimal
    average_entry_price: Decimal
    realized_pnl: Decimal
    entry_timestamp: datetime


@attrs.frozen
class Holding:
    """How much of one asset an exchange account holds."""

    exchange: str
    asset: str
    amount: Decimal


@attrs.frozen
class Position:
    """The net position of one pair on one exchange (amounts in the pair's quote)."""

    exchange: str
    trading_pair: str
    side: TradeSide
    #: Held quantity of the base asset (positive; ``side`` gives the direction).
    quantity: Decimal
    average_entry_price: Decimal
    #: What the open cycle has realized so far (partial exits, fees).
    realized_pnl: Decimal
    opened_at: datetime
    #: How many open trades make it up (1 for flat-to-flat, one per lot for FIFO/LIFO).
    open_trades: int
    mark_price: Decimal | None = None
    #: ``None`` when no mark price was given for the pair.
    unrealized_pnl: Decimal | None = None

    @property
    def signed_quantity(self) -> Decimal:
        """The quantity, negative for a short."""
        return self.quantity if self.side is TradeSide.LONG else -self.quantity

    @property
    def quote(self) -> str:
        """The currency the amounts are in."""
        return v.split_pair(self.trading_pair)[1]

    @property
    def market_value(self) -> Decimal | None:
        """``|quantity| × mark`` (gross exposure), ``None`` without a mark."""
        if self.mark_price is None:
            return None
        with v.exact():
            return v.tidy(self.quantity * self.mark_price)


def counts_in_holdings(flow: LedgerFlow) -> bool:
    """Whether a ledger flow moves holdings beside the fills (:data:`HOLDING_KINDS`)."""
    amount = Decimal(1) if flow.credit else Decimal(-1)
    return kind_of(flow.type, flow.subtype, amount) in HOLDING_KINDS


def holdings(
    pair_flows: Iterable[PairFlow],
    fee_flows: Iterable[FeeFlow] = (),
    ledger_flows: Iterable[LedgerFlow] = (),
) -> list[Holding]:
    """Holdings per exchange and asset from the summed flows (see the module docstring).

    Assets whose holding is exactly zero are left out; the list is sorted by exchange and asset.
    """
    book: dict[tuple[str, str], Decimal] = {}

    def add(exchange: str, asset: str, amount: Decimal) -> None:
        book[exchange, asset] = book.get((exchange, asset), _ZERO) + amount

    with v.exact():
        for flow in pair_flows:
            base, quote = v.split_pair(flow.trading_pair)
            sign = 1 if flow.side is Side.BUY else -1
            add(flow.exchange, base, sign * flow.quantity)
            add(flow.exchange, quote, -sign * flow.notional)
        for fee in fee_flows:
            add(fee.exchange, fee.asset, -fee.commission)
        for entry in ledger_flows:
            if counts_in_holdings(entry):
                add(entry.exchange, entry.asset, entry.amount - entry.fee)
    return [
        Holding(exchange, asset, v.tidy(amount))
        for (exchange, asset), amount in sorted(book.items())
        if amount
    ]


def unrealized_pnl(
    side: TradeSide, quantity: Decimal, average_entry: Decimal, mark: Decimal
) -> Decimal:
    """``(mark - average entry) × quantity`` for a long, the opposite for a short (exact)."""
    with v.exact():
        gross = (mark - average_entry) * quantity
        return v.tidy(gross if side is TradeSide.LONG else -gross)


def check_marks(marks: Mapping[str, Decimal]) -> dict[str, Decimal]:
    """Mark prices by pair, each a positive decimal (an error names the pair)."""
    checked: dict[str, Decimal] = {}
    for pair, price in marks.items():
        name = v.trading_pair(pair, "mark")
        amount = v.to_decimal(price, f"mark[{name}]")
        if amount <= 0:
            raise InvalidValueError(f"mark[{name}]", f"must be positive, not {amount}")
        checked[name] = amount
    return checked


def positions(
    lots: Iterable[OpenLot], marks: Mapping[str, Decimal] | None = None
) -> list[Position]:
    """The net position per exchange and pair from its open trades, marked where a price is given.

    Open trades of one pair are all on one side (the position is long or short); one of
    each is refused, naming the pair. Sorted by exchange and pair.
    """
    prices = check_marks(marks or {})
    grouped: dict[tuple[str, str], list[OpenLot]] = {}
    for lot in lots:
        if lot.open_quantity:
            grouped.setdefault((lot.exchange, lot.trading_pair), []).append(lot)
    result = []
    for (exchange, pair), group in sorted(grouped.items()):
        sides = {lot.side for lot in group}
        if len(sides) != 1:
            raise InvalidValueError(
                f"positions[{exchange} {pair}]", "open trades on both sides: rebuild the trades"
            )
        side = sides.pop()
        with v.exact():
            quantity = sum((lot.open_quantity for lot in group), _ZERO)
            cost = sum((lot.open_quantity * lot.average_entry_price for lot in group), _ZERO)
            realized = sum((lot.realized_pnl for lot in group), _ZERO)
            average = v.quantize_computed(cost / quantity)
        mark = prices.get(pair)
        result.append(
            Position(
                exchange=exchange,
                trading_pair=pair,
                side=side,
                quantity=v.tidy(quantity),
                average_entry_price=v.tidy(average),
                realized_pnl=v.tidy(realized),
                opened_at=min(lot.entry_timestamp for lot in group),
                open_trades=len(group),
                mark_price=mark,
                unrealized_pnl=None
                if mark is None
                else unrealized_pnl(side, quantity, average, mark),
            )
        )
    return result
