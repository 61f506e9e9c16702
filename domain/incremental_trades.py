"""Live trades, one fill at a time: the builder's rules applied to a stored running position.

:mod:`gal_friday.domain.trade_builder` folds a pair's fills, in time order, into trades;
its state between two fills is small: the open flat-to-flat cycle (:class:`Cycle`: sums
and the units still held), or for FIFO/LIFO the open lots (:class:`Lot`: what is left
of each entry fill). This module applies **one** new fill to that state with the very
same code the builder runs (its ``_Cycle``, ``_Lot`` and ``_lot_trade``), so the trades
it gives equal a full rebuild's, figure for figure (a property test checks every
grouping); and it writes the state out and back exactly (:func:`dump_cycle`,
:func:`load_cycle`, :func:`dump_lot`, :func:`load_lot`: decimal strings, never rounded).

The fill must come after every fill already applied, in ``(filled_at, fill_id)`` order;
a late fill is the caller's to detect (it rebuilds from the pair's flat point instead,
docs/live-fills.md). FIFO/LIFO read lots one at a time from the head
(:class:`LotSource`), so a fill costs what it closes, not what is held.

:data:`live_step` carries what the live use case hands the store's trade step (the
caller's conversion rates, whether to update trades at all) and what the step says back
(done, or refused by a rule), across the repository port, whose ``store_live_fill`` takes
a fill and an order id only.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from datetime import datetime
from decimal import Decimal
from typing import Any, NamedTuple, Protocol

from gal_friday.domain import values as v
from gal_friday.domain.enums import TradeGrouping
from gal_friday.domain.errors import DomainError
from gal_friday.domain.fill import FillView
from gal_friday.domain.rates import Rates
from gal_friday.domain.trade import Trade
from gal_friday.domain.trade_builder import _Cycle as Cycle
from gal_friday.domain.trade_builder import _Leg as Leg
from gal_friday.domain.trade_builder import _leg, _lot_trade, _read
from gal_friday.domain.trade_builder import _Lot as Lot

__all__ = [
    "Cycle",
    "CycleStep",
    "Leg",
    "LiveStep",
    "Lot",
    "LotSource",
    "LotStep",
    "cycle_trade",
    "dump_cycle",
    "dump_lot",
    "leg_of",
    "live_step",
    "load_cycle",
    "load_lot",
    "lot_trade",
    "step_cycle",
    "step_lots",
]

_FLAT = TradeGrouping.FLAT_TO_FLAT


class LiveStep:
    """One live fill's trade step: what the caller asks, what the store did.

    Set by ``record_fill`` around its write (:data:`live_step`); read by the store's step,
    which sets ``handled`` once the pair's trades are current in the fill's transaction
    (or forgotten on purpose), and ``refused`` when a rule refused their refresh (an
    earlier commission in a third asset with no rate given): the fill is stored all the
    same. A store that has no such step (the in-memory fakes) leaves ``handled`` false:
    the caller refreshes the pair itself.
    """

    __slots__ = ("handled", "rates", "refresh", "refused")

    def __init__(self, rates: Rates | None = None, refresh: bool = True) -> None:
        self.rates = rates
        self.refresh = refresh
        self.handled = False
        self.refused: DomainError | None = None


#: The live step of the fill being written in this context (None outside ``record_fill``).
live_step: ContextVar[LiveStep | None] = ContextVar("gal_friday_live_step", default=None)


def leg_of(fill: FillView, rates: Rates | None = None) -> Leg:
    """The builder's leg of one fill (its commission valued as the builder values it)."""
    with v.exact():
        return _leg(_read(fill), rates or {})


class CycleStep(NamedTuple):
    """What one fill did to a flat-to-flat position."""

    #: Cycles the fill ended (closed for good), as final trades, in the order they closed.
    closed: list[Trade]
    #: The cycle still running after the fill (open, or closed with dust that a later exit
    #: may continue), None when the position is flat.
    cycle: Cycle | None


def step_cycle(cycle: Cycle | None, leg: Leg, exchange: str, pair: str) -> CycleStep:
    """Apply ``leg`` to the running ``cycle``: the builder's ``_flat_to_flat`` loop body."""
    closed: list[Trade] = []
    with v.exact():
        if cycle is not None and cycle.at_dust and leg.is_buy == cycle.long:
            closed.append(_final(cycle, exchange, pair))  # a new entry: the dust stays behind
            cycle = None
        while True:
            if cycle is None:
                cycle = Cycle(leg)
            if leg.is_buy == cycle.long:
                cycle.enter(leg)
                break
            if leg.units <= cycle.units:
                cycle.exit(leg)
                if cycle.units == 0:
                    closed.append(_final(cycle, exchange, pair))
                    cycle = None
                break
            closing, leg = leg.split(cycle.units)
            cycle.exit(closing)
            closed.append(_final(cycle, exchange, pair))
            cycle = None
    return CycleStep(closed, cycle)


def _final(cycle: Cycle, exchange: str, pair: str) -> Trade:
    cycle.closed = True
    return cycle.trade(exchange, pair, _FLAT)


def cycle_trade(cycle: Cycle, exchange: str, pair: str) -> Trade:
    """The running cycle as a full rebuild that ended here would store it: open, or closed
    with its dust when it is at dust (docs/dust.md); ``cycle`` itself stays running.
    """
    with v.exact():
        cycle.closed = cycle.at_dust
        try:
            return cycle.trade(exchange, pair, _FLAT)
        finally:
            cycle.closed = False


class LotSource(Protocol):
    """The open lots of a FIFO/LIFO position, read from the end that exits take first."""

    def head(self) -> Lot | None:
        """The lot the next exit takes from (FIFO: the oldest, LIFO: the newest), if any."""
        ...

    def drop_head(self) -> None:
        """Forget the head lot: it is fully closed."""
        ...


class LotStep(NamedTuple):
    """What one fill did to a FIFO/LIFO position."""

    #: The closed lot pieces, as final trades, in the order they closed.
    closed: list[Trade]
    #: The head lot the fill closed in part (it stays open), if any.
    partly_closed: Lot | None
    #: The lot the fill opened (an entry, or the rest of an exit that crossed zero), if any.
    opened: Lot | None


def step_lots(
    lots: LotSource,
    long: bool | None,
    leg: Leg,
    exchange: str,
    pair: str,
    grouping: TradeGrouping,
) -> LotStep:
    """Apply ``leg`` to open lots of side ``long`` (None: no lot open): the builder's
    ``_lots`` loop body, one head lot read at a time.
    """
    closed: list[Trade] = []
    with v.exact():
        if long is None or leg.is_buy == long or lots.head() is None:
            return LotStep(closed, None, Lot(leg))
        remaining: Leg | None = leg
        partly: Lot | None = None
        while remaining is not None and (lot := lots.head()) is not None:
            take = min(remaining.units, lot.units)
            if take < remaining.units:
                exit_part, remaining = remaining.split(take)
            else:
                exit_part, remaining = remaining, None
            piece = lot.take(take)
            closed.append(_lot_trade(lot, piece, exit_part, long, exchange, pair, grouping))
            if lot.leg is None:
                lots.drop_head()
            else:
                partly = lot
        opened = None if remaining is None else Lot(remaining)  # crossed zero: the other side
    return LotStep(closed, partly, opened)


def lot_trade(lot: Lot, long: bool, exchange: str, pair: str, grouping: TradeGrouping) -> Trade:
    """The open trade of what is left of ``lot`` (its next piece; the lot is not changed)."""
    if lot.leg is None:
        raise ValueError("a fully closed lot has no open trade")
    pieces = lot.pieces
    with v.exact():
        try:
            return _lot_trade(lot, lot.leg, None, long, exchange, pair, grouping)
        finally:
            lot.pieces = pieces


# -- exact state, written out and read back ------------------------------------------------

_LEG_DECIMALS = ("quantity", "price", "cash_fee", "base_fee", "units")
_CYCLE_DECIMALS = (
    "units",
    "basis",
    "realized_gross",
    "cash_fees",
    "commission",
    "entry_qty",
    "entry_notional",
    "entry_commission",
    "exit_qty",
    "exit_notional",
    "base_fees",
)


def _dump_leg(leg: Leg) -> dict[str, Any]:
    out: dict[str, Any] = {name: str(getattr(leg, name)) for name in _LEG_DECIMALS}
    out.update(
        fill_id=leg.fill_id, buy=leg.is_buy, time=leg.time.isoformat(), order_pk=leg.order_pk
    )
    return out


def _load_leg(data: dict[str, Any]) -> Leg:
    leg = Leg(
        data["fill_id"],
        bool(data["buy"]),
        Decimal(data["quantity"]),
        Decimal(data["price"]),
        Decimal(data["cash_fee"]),
        Decimal(data["base_fee"]),
        datetime.fromisoformat(data["time"]),
        data["order_pk"],
    )
    leg.units = Decimal(data["units"])  # a split leg's units are its own, not recomputed
    return leg


def dump_cycle(cycle: Cycle) -> str:
    """The running cycle's exact figures as JSON text (decimal strings)."""
    data: dict[str, Any] = {name: str(getattr(cycle, name)) for name in _CYCLE_DECIMALS}
    data["long"] = cycle.long
    data["first"] = _dump_leg(cycle.first)
    data["last_exit"] = None if cycle.last_exit is None else _dump_leg(cycle.last_exit)
    return json.dumps(data, separators=(",", ":"))


def load_cycle(text: str) -> Cycle:
    """The cycle :func:`dump_cycle` wrote, exactly."""
    data = json.loads(text)
    cycle = Cycle(_load_leg(data["first"]))
    cycle.long = bool(data["long"])
    for name in _CYCLE_DECIMALS:
        setattr(cycle, name, Decimal(data[name]))
    cycle.last_exit = None if data["last_exit"] is None else _load_leg(data["last_exit"])
    return cycle


def dump_lot(lot: Lot) -> str:
    """An open lot's exact remainder as JSON text."""
    if lot.leg is None:
        raise ValueError("a fully closed lot has nothing to store")
    return json.dumps(
        {"fill_id": lot.fill_id, "pieces": lot.pieces, "leg": _dump_leg(lot.leg)},
        separators=(",", ":"),
    )


def load_lot(text: str) -> Lot:
    """The lot :func:`dump_lot` wrote, exactly."""
    data = json.loads(text)
    lot = Lot(_load_leg(data["leg"]))
    lot.fill_id = data["fill_id"]
    lot.pieces = int(data["pieces"])
    return lot


# -- folding a stream (the refresh from a flat point) --------------------------------------


class _MemoryLots:
    """A :class:`LotSource` over lots held in memory (FIFO takes the left end)."""

    def __init__(self, fifo: bool) -> None:
        self.lots: list[Lot] = []
        self.fifo = fifo
        self.start = 0  # FIFO: lots before it are closed (popping the front would be O(n))

    def head(self) -> Lot | None:
        if self.start >= len(self.lots):
            return None
        return self.lots[self.start] if self.fifo else self.lots[-1]

    def drop_head(self) -> None:
        if self.fifo:
            self.start += 1
        else:
            self.lots.pop()

    def open(self) -> list[Lot]:
        return self.lots[self.start :]


class Folded(NamedTuple):
    """The end of a fold: the running state after the last fill."""

    cycle: Cycle | None
    lots: list[Lot]
    long: bool | None


def fold(
    legs: Iterable[Leg],
    exchange: str,
    pair: str,
    grouping: TradeGrouping,
    on_closed: Callable[[list[Trade]], None],
) -> Folded:
    """Apply ``legs`` (time order) from a flat position one by one, handing each fill's
    closed trades to ``on_closed``; the running state at the end (what the trades still
    open are made of: :func:`cycle_trade`, :func:`lot_trade`).
    """
    if grouping is _FLAT:
        cycle: Cycle | None = None
        for leg in legs:
            step = step_cycle(cycle, leg, exchange, pair)
            if step.closed:
                on_closed(step.closed)
            cycle = step.cycle
        return Folded(cycle, [], None)
    lots = _MemoryLots(grouping is TradeGrouping.FIFO)
    long: bool | None = None
    for leg in legs:
        if lots.head() is None:
            long = None
        step_ = step_lots(lots, long, leg, exchange, pair, grouping)
        if step_.closed:
            on_closed(step_.closed)
        if step_.opened is not None:
            if lots.head() is None:
                lots.lots, lots.start = [], 0
            lots.lots.append(step_.opened)
            long = step_.opened.leg.is_buy if step_.opened.leg is not None else long
    return Folded(None, lots.open(), long if lots.head() is not None else None)


def trades_of(
    fills: Iterable[FillView],
    grouping: TradeGrouping,
    rates: Rates | None = None,
) -> Iterator[Trade]:
    """Every trade of one pair's ``fills`` (time order) applied one at a time: closed ones
    as they close, then the running ones. Equal to :func:`~gal_friday.domain.iter_trades`
    (what the property tests check).
    """
    made: list[Trade] = []
    stream = iter(fills)
    first = next(stream, None)
    if first is None:
        return
    exchange, pair = first.exchange, first.trading_pair

    def legs() -> Iterator[Leg]:
        yield leg_of(first, rates)
        for fill in stream:
            yield leg_of(fill, rates)

    end = fold(legs(), exchange, pair, grouping, made.extend)
    yield from made
    if end.cycle is not None:
        yield cycle_trade(end.cycle, exchange, pair)
    for lot in end.lots:
        yield lot_trade(lot, bool(end.long), exchange, pair, grouping)
