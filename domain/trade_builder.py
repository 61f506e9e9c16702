"""Round-trip trades and realized PnL, built from fills.

Fills are grouped by ``(exchange, trading_pair)`` and taken in time order
(ties: ``fill_id``). The result lists each group's closed trades in entry order
(then exit order), followed by its open trade(s); groups come in
``(exchange, trading_pair)`` order. The rules in words: docs/trading-rules.md,
"Round-trip trades".

Commissions (docs/trading-rules.md, "Pairs and commission assets"):

* in the quote asset: cash paid, in quote;
* in the base asset: the fill moves ``quantity - fee`` (buy) or removes
  ``quantity + fee`` (sell) of the base asset; valued at ``fee * fill_price``
  in ``total_commission`` but never subtracted from PnL a second time;
* a negative commission is a rebate: income, carried with its sign into
  ``total_commission`` and ``realized_pnl`` (a quote rebate raises the PnL; a
  base-asset rebate adds units to a buy and removes fewer on a sale);
* in any other asset: converted with ``conversion_rates["ASSET/QUOTE"]`` (quote
  per unit of the asset), or a :class:`~gal_friday.domain.rates.RateTable`'s rate in
  force at the fill's time; a missing rate is a :class:`MissingConversionRateError`.

Meaning of the figures:

* ``quantity``: the base quantity of the entry fills as the exchange reported
  them (before base-asset fees); ``average_entry_price`` / ``average_exit_price``
  are weighted by fill quantity. For FIFO/LIFO a trade is one piece of one
  entry lot, so its entry price is the lot's price.
* A position is flat when its net base quantity (after base-asset fees) is
  exactly zero. An exit larger than the position is split pro rata by the
  quantity it moves: one part closes, the rest opens the opposite position at
  the same price, commission split in the same proportion (the remainder is
  computed by subtraction, so quantity and commission are conserved exactly).
* Dust (FLAT_TO_FLAT only, docs/dust.md): a base-asset fee leaves the exit that
  "sells everything" a little short of zero, which would keep the cycle open for
  ever. After an exit, a remaining position greater than zero but not more than
  the base-asset fees paid in the cycle is dust: if the next fill of the pair
  opens a new position (same side as the cycle) or there is no next fill, the
  cycle is a closed trade that leaves that dust behind (``open_quantity`` of the
  closed trade, written off: the next cycle starts from zero; the dust's cost
  stays in the closed trade's PnL, which is its net cash flow); if the next fill
  is another exit, the cycle simply goes on. A history whose position returns
  exactly to zero before each new entry is therefore never changed, and the dust
  is never more than the cycle's base-asset fees. FIFO/LIFO trades need no rule:
  each exit closes lot pieces as it happens, and dust stays a small open piece
  of its lot.
* ``realized_pnl`` of a closed trade is its net cash flow in quote: exit
  proceeds minus entry cost (mirrored for SHORT) minus quote and converted
  commissions. For an open trade it is what partial exits realized on an
  average-cost basis minus the cash commissions paid so far.
* ``realized_pnl_pct = 100 * realized_pnl / entry_cash`` with ``entry_cash`` the
  entry notional plus (LONG) or minus (SHORT) the entry commissions in quote.

Arithmetic is exact (80 significant digits); every figure is rounded
half-even to 18 places once, when the Trade is made. Trades are assembled from
these computed figures (:func:`~gal_friday.domain.construction.assemble`) after a check that
each fits the stored ``Numeric(38, 18)``, instead of being converted again by
``Trade.__init__``.
"""

from __future__ import annotations

import itertools
import operator
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from decimal import Decimal

from gal_friday.domain import construction
from gal_friday.domain import values as v
from gal_friday.domain.enums import Side, TradeGrouping, TradeSide
from gal_friday.domain.errors import InvalidValueError, MissingConversionRateError
from gal_friday.domain.fill import FillRecord, FillView, check_base_fee
from gal_friday.domain.invariants import InvariantError
from gal_friday.domain.rates import Rates, RateTable
from gal_friday.domain.trade import Trade

TRADE_ID_NAMESPACE = uuid.UUID("6f1c1b6e-57a4-4f0e-9d36-5b7c2f0f9a11")
ZERO = Decimal(0)


class _Leg:
    """A fill, or the part of one that a zero crossing split off, with its costs in quote."""

    __slots__ = (
        "base_fee",
        "cash_fee",
        "commission_value",
        "fill_id",
        "is_buy",
        "order_pk",
        "price",
        "quantity",
        "time",
        "units",
    )

    def __init__(
        self,
        fill_id: str,
        is_buy: bool,
        quantity: Decimal,
        price: Decimal,
        cash_fee: Decimal,
        base_fee: Decimal,
        time: datetime,
        order_pk: int | None,
    ) -> None:
        self.fill_id = fill_id
        self.is_buy = is_buy
        self.quantity = quantity
        self.price = price
        self.cash_fee = cash_fee
        self.base_fee = base_fee
        self.commission_value = cash_fee + base_fee * price
        # Net base units the leg adds to (buy) or removes from (sell) the holdings.
        self.units = quantity - base_fee if is_buy else quantity + base_fee
        self.time = time
        self.order_pk = order_pk

    @property
    def notional(self) -> Decimal:
        return self.quantity * self.price

    def split(self, units: Decimal) -> tuple[_Leg, _Leg]:
        """The part of this leg that moves ``units`` net base units, and the rest."""
        share = units / self.units
        quantity = self.quantity * share
        first = _Leg(
            self.fill_id,
            self.is_buy,
            quantity,
            self.price,
            self.cash_fee * share,
            self.base_fee * share,
            self.time,
            self.order_pk,
        )
        first.units = units
        rest = _Leg(
            self.fill_id,
            self.is_buy,
            self.quantity - quantity,
            self.price,
            self.cash_fee - first.cash_fee,
            self.base_fee - first.base_fee,
            self.time,
            self.order_pk,
        )
        rest.units = self.units - units
        return first, rest


def _rate(rates: Rates, asset: str, quote: str, fill_id: str, at: datetime) -> Decimal:
    key = f"{asset}/{quote}"
    found = rates.at(asset, quote, at) if isinstance(rates, RateTable) else rates.get(key)
    if found is None:
        raise MissingConversionRateError(
            f"fill {fill_id!r} at {at.isoformat()} paid its commission in {asset}; "
            f"give a rate {key!r} (quote per {asset}) in force at that time to value it"
        )
    rate = v.to_decimal(found, f"conversion_rates[{key!r}]")
    if rate <= 0:
        raise InvalidValueError(f"conversion_rates[{key!r}]", "must be greater than zero")
    return rate


#: What the builder reads of a fill, in one go.
_FILL_FIELDS = FillRecord._fields
_from_dict = operator.itemgetter(*_FILL_FIELDS)
_from_attributes = operator.attrgetter(*_FILL_FIELDS)
FillFields = tuple[
    str, str, Side, Decimal, Decimal, Decimal, str, datetime, str, int | None, Mapping[str, Decimal]
]


def _read_dict_first(fill: FillView) -> FillFields:
    try:
        return _from_dict(fill.__dict__)  # type: ignore[no-any-return]
    except KeyError:  # an attribute not loaded yet: let the object load it
        return _from_attributes(fill)


def _as_fields(record: FillView) -> FillFields:
    return record  # type: ignore[return-value]  # a FillRecord is these fields in this order


_readers: dict[type, Callable[[FillView], FillFields]] = {FillRecord: _as_fields}


def _read(fill: FillView) -> FillFields:
    """The fields of a fill: from its ``__dict__`` when they are all there (the fast path
    for attrs and loaded ORM objects), else through attribute access (rows, views).
    """
    kind = type(fill)
    reader = _readers.get(kind)
    if reader is None:
        reader = _readers[kind] = _read_dict_first if kind.__dictoffset__ else _from_attributes
    return reader(fill)


def _leg(fields: FillFields, rates: Rates) -> _Leg:
    (
        _exchange,
        pair,
        side,
        quantity,
        price,
        commission,
        asset,
        filled_at,
        fill_id,
        order_pk,
        extra,
    ) = fields
    base, _, quote = pair.partition("/")
    cash_fee, base_fee = ZERO, ZERO
    # each commission valued as the rules say: quote = cash, base = units, other = via a rate
    if asset == quote:
        cash_fee = commission
    elif asset == base:
        base_fee = commission
    elif commission:
        cash_fee = commission * _rate(rates, asset, quote, fill_id, filled_at)
    if extra:  # fees charged on more than one leg (rare)
        for paid_in, paid in extra.items():
            if paid_in == quote:
                cash_fee += paid
            elif paid_in == base:
                base_fee += paid
            else:
                cash_fee += paid * _rate(rates, paid_in, quote, fill_id, filled_at)
        if base_fee:
            check_base_fee(fill_id, side, quantity, base_fee, base)
    elif asset == base:
        check_base_fee(fill_id, side, quantity, base_fee, base)  # stored rows are not Fills
    return _Leg(fill_id, side is Side.BUY, quantity, price, cash_fee, base_fee, filled_at, order_pk)


def _trade_id(
    exchange: str, pair: str, grouping: TradeGrouping, fill_id: str, piece: int
) -> uuid.UUID:
    return uuid.uuid5(TRADE_ID_NAMESPACE, f"{exchange}|{pair}|{grouping.value}|{fill_id}|{piece}")


def _pct(pnl: Decimal, entry_cash: Decimal) -> Decimal | None:
    return 100 * pnl / entry_cash if entry_cash > 0 else None


def _q(value: Decimal, field: str, *, positive: bool = False) -> Decimal:
    return v.computed_amount(value, field, positive=positive)


def _trade(**values: object) -> Trade:
    return construction.assemble(Trade, {**_TRADE_UNSET, **values})


#: The Trade fields the builder leaves at their defaults.
_TRADE_UNSET: dict[str, object] = {
    "strategy_id": None,
    "signal_id": None,
    "exit_reason": None,
    "trade_pk": None,
}


class _Cycle:
    """One flat-to-flat position, tracked on an average-cost basis while open."""

    def __init__(self, first: _Leg) -> None:
        self.long = first.is_buy
        self.first = first
        self.units = ZERO  # net base units held (LONG) or owed (SHORT)
        self.basis = ZERO  # entry notional still attached to the units held
        self.realized_gross = ZERO
        self.cash_fees = ZERO
        self.commission = ZERO
        self.entry_qty = ZERO
        self.entry_notional = ZERO
        self.entry_commission = ZERO
        self.exit_qty = ZERO
        self.exit_notional = ZERO
        self.base_fees = ZERO  # base-asset fees paid in the cycle: the most dust can be
        self.closed = False
        self.last_exit: _Leg | None = None

    @property
    def at_dust(self) -> bool:
        """Held (or owed) units above zero but within the cycle's base-asset fees."""
        return 0 < self.units <= self.base_fees

    def enter(self, leg: _Leg) -> None:
        self.units += leg.units
        self.basis += leg.notional
        self.entry_qty += leg.quantity
        self.entry_notional += leg.notional
        self.entry_commission += leg.commission_value
        self._pay(leg)

    def exit(self, leg: _Leg) -> None:
        """Apply an exit leg that moves at most the units held."""
        released = self.basis if leg.units == self.units else self.basis * leg.units / self.units
        proceeds = leg.notional
        self.realized_gross += proceeds - released if self.long else released - proceeds
        self.basis -= released
        self.units -= leg.units
        self.exit_qty += leg.quantity
        self.exit_notional += proceeds
        self.last_exit = leg
        self._pay(leg)

    def _pay(self, leg: _Leg) -> None:
        self.cash_fees += leg.cash_fee
        self.base_fees += leg.base_fee
        self.commission += leg.commission_value

    def trade(self, exchange: str, pair: str, grouping: TradeGrouping) -> Trade:
        closed = self.closed or self.units == 0
        side = TradeSide.LONG if self.long else TradeSide.SHORT
        entry_cash = (
            self.entry_notional + self.entry_commission
            if self.long
            else self.entry_notional - self.entry_commission
        )
        if closed:
            flow = self.exit_notional - self.entry_notional
            pnl = (flow if self.long else -flow) - self.cash_fees
        else:
            pnl = self.realized_gross - self.cash_fees
        last = self.last_exit
        return _trade(
            trade_id=_trade_id(exchange, pair, grouping, self.first.fill_id, 0),
            trading_pair=pair,
            exchange=exchange,
            side=side,
            grouping=grouping,
            entry_timestamp=self.first.time,
            exit_timestamp=last.time if closed and last else None,
            quantity=_q(self.entry_qty, "quantity", positive=True),
            entry_cash=_q(entry_cash, "entry_cash"),
            open_quantity=_q(self.units, "open_quantity"),
            average_entry_price=_q(
                self.entry_notional / self.entry_qty, "average_entry_price", positive=True
            ),
            average_exit_price=(
                _q(self.exit_notional / self.exit_qty, "average_exit_price", positive=True)
                if closed and self.exit_qty
                else None
            ),
            total_commission=_q(self.commission, "total_commission"),
            realized_pnl=_q(pnl, "realized_pnl"),
            realized_pnl_pct=(
                _q(pct, "realized_pnl_pct")
                if closed and (pct := _pct(pnl, entry_cash)) is not None
                else None
            ),
            entry_order_pk=self.first.order_pk,
            exit_order_pk=last.order_pk if last else None,
        )


def _flat_to_flat(legs: Iterable[_Leg], exchange: str, pair: str) -> Iterator[Trade]:
    """Trades as their cycles close (in entry order), then the open one."""
    cycle: _Cycle | None = None
    for leg in legs:
        if cycle is not None and cycle.at_dust and leg.is_buy == cycle.long:
            yield _close_with_dust(cycle, exchange, pair)  # a new entry: the dust stays behind
            cycle = None
        while True:
            if cycle is None:
                cycle = _Cycle(leg)
            if leg.is_buy == cycle.long:
                cycle.enter(leg)
                break
            if leg.units <= cycle.units:
                cycle.exit(leg)
                if cycle.units == 0:
                    yield cycle.trade(exchange, pair, TradeGrouping.FLAT_TO_FLAT)
                    cycle = None
                break
            closing, leg = leg.split(cycle.units)
            cycle.exit(closing)
            yield cycle.trade(exchange, pair, TradeGrouping.FLAT_TO_FLAT)
            cycle = None
    if cycle is not None:
        if cycle.at_dust:  # the history ends at dust: the round trip is over
            yield _close_with_dust(cycle, exchange, pair)
        else:
            yield cycle.trade(exchange, pair, TradeGrouping.FLAT_TO_FLAT)


def _close_with_dust(cycle: _Cycle, exchange: str, pair: str) -> Trade:
    """The cycle as a closed trade that leaves its dust (``open_quantity``) behind."""
    cycle.closed = True
    return cycle.trade(exchange, pair, TradeGrouping.FLAT_TO_FLAT)


class _Lot:
    """What is still held of one entry leg, for FIFO/LIFO matching."""

    __slots__ = ("fill_id", "leg", "pieces")

    def __init__(self, leg: _Leg) -> None:
        self.fill_id = leg.fill_id
        self.leg: _Leg | None = leg
        self.pieces = 0

    @property
    def units(self) -> Decimal:
        return self.leg.units if self.leg is not None else ZERO

    def take(self, units: Decimal) -> _Leg:
        """Detach the part of the lot that ``units`` stand for (the rest stays held)."""
        if self.leg is None:
            raise InvariantError("a lot is taken from only while it holds a leg")
        if units == self.leg.units:
            part, self.leg = self.leg, None
        else:
            part, self.leg = self.leg.split(units)
        return part


def _lot_trade(
    lot: _Lot,
    entry: _Leg,
    exit_leg: _Leg | None,
    long: bool,
    exchange: str,
    pair: str,
    grouping: TradeGrouping,
) -> Trade:
    """The trade of one piece of a lot (``entry``), closed by ``exit_leg`` or still open."""
    entry_notional = entry.notional
    cash_fees = entry.cash_fee
    commission = entry.commission_value
    pnl = -cash_fees
    if exit_leg is not None:
        cash_fees += exit_leg.cash_fee
        commission += exit_leg.commission_value
        flow = exit_leg.notional - entry_notional
        pnl = (flow if long else -flow) - cash_fees
    entry_commission = entry.commission_value
    entry_cash = entry_notional + entry_commission if long else entry_notional - entry_commission
    piece = lot.pieces
    lot.pieces += 1
    return _trade(
        trade_id=_trade_id(exchange, pair, grouping, lot.fill_id, piece),
        trading_pair=pair,
        exchange=exchange,
        side=TradeSide.LONG if long else TradeSide.SHORT,
        grouping=grouping,
        entry_timestamp=entry.time,
        exit_timestamp=exit_leg.time if exit_leg else None,
        quantity=_q(entry.quantity, "quantity", positive=True),
        entry_cash=_q(entry_cash, "entry_cash"),
        open_quantity=ZERO if exit_leg else _q(entry.units, "open_quantity"),
        average_entry_price=entry.price,
        average_exit_price=exit_leg.price if exit_leg else None,
        total_commission=_q(commission, "total_commission"),
        realized_pnl=_q(pnl, "realized_pnl"),
        realized_pnl_pct=(
            _q(pct, "realized_pnl_pct")
            if exit_leg and (pct := _pct(pnl, entry_cash)) is not None
            else None
        ),
        entry_order_pk=entry.order_pk,
        exit_order_pk=exit_leg.order_pk if exit_leg else None,
    )


def _lots(
    legs: Iterable[_Leg], exchange: str, pair: str, grouping: TradeGrouping
) -> Iterator[Trade]:
    """Closed trades as their exits happen, then the open lots' trades."""
    lots: deque[_Lot] = deque()
    long = True
    fifo = grouping is TradeGrouping.FIFO
    for leg in legs:
        if not lots or leg.is_buy == long:
            long = leg.is_buy
            lots.append(_Lot(leg))
            continue
        remaining: _Leg | None = leg
        while remaining is not None and lots:
            lot = lots[0] if fifo else lots[-1]
            take = min(remaining.units, lot.units)
            if take < remaining.units:
                exit_part, remaining = remaining.split(take)
            else:
                exit_part, remaining = remaining, None
            yield _lot_trade(lot, lot.take(take), exit_part, long, exchange, pair, grouping)
            if lot.leg is None:
                if fifo:
                    lots.popleft()
                else:
                    lots.pop()
        if remaining is not None:  # crossed zero: the rest opens the other side
            long = remaining.is_buy
            lots.append(_Lot(remaining))
    for lot in lots:
        if lot.leg is not None:
            yield _lot_trade(lot, lot.leg, None, long, exchange, pair, grouping)


def _trades(
    legs: Iterable[_Leg], exchange: str, pair: str, grouping: TradeGrouping
) -> Iterator[Trade]:
    if grouping is TradeGrouping.FLAT_TO_FLAT:
        return _flat_to_flat(legs, exchange, pair)
    return _lots(legs, exchange, pair, grouping)


def build_trades(
    fills: Iterable[FillView],
    grouping: TradeGrouping = TradeGrouping.FLAT_TO_FLAT,
    conversion_rates: Rates | None = None,
) -> list[Trade]:
    """Group ``fills`` into round-trip trades (see the module docstring for every rule)."""
    grouping = v.enum_value(TradeGrouping, grouping, "grouping")
    rates = conversion_rates or {}
    groups: dict[tuple[str, str], list[_Leg]] = {}
    trades: list[Trade] = []
    with v.exact():
        for fill in fills:
            fields = _read(fill)
            key = (fields[0], fields[1])
            legs = groups.get(key)
            if legs is None:
                legs = groups[key] = []
            legs.append(_leg(fields, rates))
        for (exchange, pair), legs in sorted(groups.items()):
            legs.sort(key=_time_order)
            made = list(_trades(legs, exchange, pair, grouping))
            if grouping is not TradeGrouping.FLAT_TO_FLAT:
                closed = [trade for trade in made if trade.exit_timestamp is not None]
                closed.sort(key=lambda trade: (trade.entry_timestamp, trade.exit_timestamp))
                made = closed + [trade for trade in made if trade.exit_timestamp is None]
            trades.extend(made)
    return trades


_time_order = operator.attrgetter("time", "fill_id")

#: How many trades :func:`iter_trades` makes between two yields.
TRADES_PER_BATCH = 1000


def iter_trades(
    fills: Iterable[FillView],
    grouping: TradeGrouping = TradeGrouping.FLAT_TO_FLAT,
    conversion_rates: Rates | None = None,
) -> Iterator[Trade]:
    """The trades of one ``(exchange, trading_pair)`` from its fills in time order, streamed.

    Same rules and figures as :func:`build_trades`, but ``fills`` must already be
    sorted by ``(filled_at, fill_id)`` (as the store streams them) and belong to
    one pair of one exchange; either mistake raises :class:`InvalidValueError`.
    Only the open position is held in memory, so a history of any length
    streams in flat memory. Closed trades come in the order they close, open
    ones last. The exact decimal context applies only while trades are made,
    never to the caller's code between two items.
    """
    grouping = v.enum_value(TradeGrouping, grouping, "grouping")
    stream = iter(fills)
    first = next(stream, None)
    if first is None:
        return
    exchange, pair = _read(first)[:2]
    legs = _ordered_legs(itertools.chain([first], stream), (exchange, pair), conversion_rates or {})
    made = _trades(legs, exchange, pair, grouping)
    while True:
        with v.exact():
            batch = list(itertools.islice(made, TRADES_PER_BATCH))
        if not batch:
            return
        yield from batch


def _ordered_legs(fills: Iterable[FillView], key: tuple[str, str], rates: Rates) -> Iterator[_Leg]:
    """Legs of ``fills``, checking they are all of ``key`` and come in time order."""
    last: tuple[datetime, str] | None = None
    for fill in fills:
        fields = _read(fill)
        if (fields[0], fields[1]) != key:
            raise InvalidValueError(
                "fills",
                f"fill {fields[8]!r} is {fields[0]} {fields[1]}, not {key[0]} {key[1]}: "
                "stream one exchange and pair at a time",
            )
        order = (fields[7], fields[8])
        if last is not None and order < last:
            raise InvalidValueError(
                "fills", f"fill {fields[8]!r} comes before {last[1]!r} in time: sort the stream"
            )
        last = order
        yield _leg(fields, rates)
