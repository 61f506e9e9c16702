"""Execution quality of one closed trade: slippage, the PnL decomposition (no ORM).

docs/execution.md states the rules with a worked example. In words, for a closed
trade of ``quantity`` units, ``d = +1`` for a LONG and ``-1`` for a SHORT:

* the *price PnL* is ``(average exit - average entry) x quantity x d``;
* *entry slippage* (against the signal) is ``(proposed entry - average entry) x
  quantity x d``: positive when the fills were better than the signal asked;
* *exit slippage* is ``(average exit - exit reference) x quantity x d``, the exit
  reference being the exit order's limit price, or for a market order the open of
  the candle in force when the order was made;
* the *signal edge* is ``(exit reference - proposed entry) x quantity x d``: what the
  trade would have made filled exactly at the signal's entry and the exit reference;
* *fees* are ``price PnL - realized PnL``: the commissions, and for a fee paid in
  the base asset its effect on the units traded.

So ``realized PnL = signal edge + entry slippage + exit slippage - fees`` exactly,
in the quote currency, whenever the three references are known. Slippage is also
given in basis points of its reference notional, and the entry slippage against the
entry order's own reference (limit price, or the candle open for a market order).
A figure whose reference is missing is ``None`` and :attr:`TradeExecution.missing`
says why (``no signal``, ``no exit order``, ``no candle at 2024-01-05T10:00:00+00:00``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

import attrs

from gal_friday.domain import values as v
from gal_friday.domain.enums import OrderType, TradeSide

BPS = Decimal(10_000)


@attrs.frozen
class PriceReference:
    """A price to measure fills against, with where it comes from, or why there is none."""

    price: Decimal | None
    source: str  # "limit", "candle open", "signal", or the reason it is missing

    @property
    def known(self) -> bool:
        """True when there is a price."""
        return self.price is not None


def missing(reason: str) -> PriceReference:
    """No reference price, for ``reason``."""
    return PriceReference(None, reason)


def order_reference(
    order_type: OrderType | None,
    limit_price: Decimal | None,
    candle_open: Decimal | None,
    at: datetime | None,
    what: str,
) -> PriceReference:
    """The price an order's fills are measured against: its limit, else the candle's open.

    ``what`` names the order in the reason when there is no reference (``entry order``).
    """
    if order_type is None:
        return missing(f"no {what}")
    if limit_price is not None and order_type.has_limit_price:
        return PriceReference(limit_price, "limit")
    if candle_open is not None:
        return PriceReference(candle_open, "candle open")
    when = at.isoformat() if at is not None else "the order's time"
    return missing(f"no candle at {when}")


@attrs.frozen
class ClosedTradeFigures:
    """What the decomposition needs of a closed trade."""

    side: TradeSide
    quantity: Decimal
    average_entry_price: Decimal
    average_exit_price: Decimal
    realized_pnl: Decimal
    total_commission: Decimal


@attrs.frozen
class TradeExecution:
    """The execution figures of one closed trade (quote currency; ``None`` when unknown)."""

    price_pnl: Decimal
    fees: Decimal
    realized_pnl: Decimal
    entry_slippage: Decimal | None
    entry_slippage_bps: Decimal | None
    entry_slippage_vs_order: Decimal | None
    entry_slippage_vs_order_bps: Decimal | None
    exit_slippage: Decimal | None
    exit_slippage_bps: Decimal | None
    signal_edge: Decimal | None
    entry_reference: PriceReference
    order_entry_reference: PriceReference
    exit_reference: PriceReference
    missing: tuple[str, ...]

    @property
    def decomposed(self) -> bool:
        """True when every part of ``realized = edge + entry + exit slippage - fees`` is known."""
        return None not in (self.signal_edge, self.entry_slippage, self.exit_slippage)


def _direction(side: TradeSide) -> int:
    return 1 if side is TradeSide.LONG else -1


def _slippage(
    reference: PriceReference, fill_price: Decimal, quantity: Decimal, sign: int
) -> tuple[Decimal | None, Decimal | None]:
    """``(reference - fill) x quantity x sign`` and its basis points of the reference notional."""
    if reference.price is None:
        return None, None
    with v.exact():
        amount = (reference.price - fill_price) * quantity * sign
        bps = amount / (reference.price * quantity) * BPS
    return v.tidy(amount), bps.quantize(Decimal("0.01"))


def execution_of(
    trade: ClosedTradeFigures,
    signal_entry: PriceReference,
    order_entry: PriceReference,
    exit_reference: PriceReference,
) -> TradeExecution:
    """The execution figures of ``trade`` against its references (module docstring)."""
    d = _direction(trade.side)
    q = trade.quantity
    with v.exact():
        price_pnl = (trade.average_exit_price - trade.average_entry_price) * q * d
        fees = price_pnl - trade.realized_pnl
    entry, entry_bps = _slippage(signal_entry, trade.average_entry_price, q, d)
    vs_order, vs_order_bps = _slippage(order_entry, trade.average_entry_price, q, d)
    # exit: a better exit is a higher price for a LONG, so the sign is reversed
    exit_, exit_bps = _slippage(exit_reference, trade.average_exit_price, q, -d)
    edge = None
    if signal_entry.price is not None and exit_reference.price is not None:
        with v.exact():
            edge = v.tidy((exit_reference.price - signal_entry.price) * q * d)
    gaps = tuple(
        dict.fromkeys(
            ref.source for ref in (signal_entry, order_entry, exit_reference) if not ref.known
        )
    )
    return TradeExecution(
        price_pnl=v.tidy(price_pnl),
        fees=v.tidy(fees),
        realized_pnl=trade.realized_pnl,
        entry_slippage=entry,
        entry_slippage_bps=entry_bps,
        entry_slippage_vs_order=vs_order,
        entry_slippage_vs_order_bps=vs_order_bps,
        exit_slippage=exit_,
        exit_slippage_bps=exit_bps,
        signal_edge=edge,
        entry_reference=signal_entry,
        order_entry_reference=order_entry,
        exit_reference=exit_reference,
        missing=gaps,
    )


@attrs.frozen
class ExecutionTotals:
    """A group's execution figures: all its trades, and the part whose decomposition is known.

    ``realized_pnl`` and ``fees`` cover every trade; the decomposition covers the
    ``decomposed`` trades that have all three references, and sums exactly:
    ``decomposed_realized_pnl = signal_edge + entry_slippage + exit_slippage - decomposed_fees``.
    """

    trades: int
    realized_pnl: Decimal
    fees: Decimal
    decomposed: int
    decomposed_realized_pnl: Decimal
    decomposed_fees: Decimal
    signal_edge: Decimal
    entry_slippage: Decimal
    exit_slippage: Decimal


def _sum(values: Sequence[Decimal | None]) -> Decimal:
    with v.exact():
        return v.tidy(sum((value or Decimal(0) for value in values), Decimal(0)))


def total_execution(executions: Sequence[TradeExecution]) -> ExecutionTotals:
    """The group's totals (see :class:`ExecutionTotals`)."""
    complete = [e for e in executions if e.decomposed]
    return ExecutionTotals(
        trades=len(executions),
        realized_pnl=_sum([e.realized_pnl for e in executions]),
        fees=_sum([e.fees for e in executions]),
        decomposed=len(complete),
        decomposed_realized_pnl=_sum([e.realized_pnl for e in complete]),
        decomposed_fees=_sum([e.fees for e in complete]),
        signal_edge=_sum([e.signal_edge for e in complete]),
        entry_slippage=_sum([e.entry_slippage for e in complete]),
        exit_slippage=_sum([e.exit_slippage for e in complete]),
    )
