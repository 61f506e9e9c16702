"""Attribution: which strategy and signal a trade belongs to, and why it was closed.

Rules (docs/attribution.md):

* An order may name the strategy that placed it (``Order.strategy_id``) and why it was
  placed (``Order.reason``, free text; :data:`USUAL_REASONS` are the documented values).
* An order with a signal takes its strategy from the signal (:func:`bind_signal`); an
  order that names another strategy than its signal's is refused with an
  :class:`AttributionMismatchError` naming both.
* A trade's ``signal_id`` and ``strategy_id`` are its entry order's
  (``entry_order_pk``); a *closed* trade's ``exit_reason`` is the reason of the order
  that closed it (``exit_order_pk``). An open trade has no exit reason yet, even after
  partial exits. A trade whose orders carry nothing is unattributed (all three None).

:func:`attribute` is the one step that sets them; the trade rebuild applies it to every
trade it writes (every grouping, the full rebuild, a pair's refresh and the import), so
a rebuild never loses what a refresh computed, nor the reverse.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import NamedTuple

from gal_friday.domain.errors import DomainError
from gal_friday.domain.order import Order
from gal_friday.domain.signal import Signal
from gal_friday.domain.trade import Trade

#: The usual values of ``Order.reason`` (free text: a strategy may use its own).
ENTRY = "ENTRY"
STOP_LOSS_HIT = "STOP_LOSS_HIT"
TAKE_PROFIT_HIT = "TAKE_PROFIT_HIT"
TRAILING_STOP = "TRAILING_STOP"
MANUAL_CLOSE = "MANUAL_CLOSE"
LIQUIDATION = "LIQUIDATION"
USUAL_REASONS = (ENTRY, STOP_LOSS_HIT, TAKE_PROFIT_HIT, TRAILING_STOP, MANUAL_CLOSE, LIQUIDATION)

#: Trades attributed per look-up of their orders (:func:`attribute_stream`).
LOOKUP_BATCH = 1000


class AttributionMismatchError(DomainError):
    """An order whose strategy or signal contradicts the signal it is bound to."""


class OrderAttribution(NamedTuple):
    """What a trade takes from one order: its signal, its strategy and its reason."""

    signal_id: uuid.UUID | None
    strategy_id: str | None
    reason: str | None

    @classmethod
    def of(cls, order: Order, signal: Signal | None = None) -> OrderAttribution:
        """``order``'s attribution; its strategy is its signal's when it names none."""
        strategy = order.strategy_id
        if strategy is None and signal is not None:
            strategy = signal.strategy_id
        return cls(order.signal_id, strategy, order.reason)

    @property
    def is_empty(self) -> bool:
        """True when the order says nothing a trade could take."""
        return self.signal_id is None and self.strategy_id is None and self.reason is None


UNATTRIBUTED = OrderAttribution(None, None, None)


def bind_signal(order: Order, signal: Signal) -> None:
    """Give ``order`` its signal's strategy; refuse an order naming another strategy or signal.

    Changes nothing when refused.
    """
    if order.signal_id not in (None, signal.signal_id):
        raise AttributionMismatchError(
            f"order {order.client_order_id} is for signal {order.signal_id}, "
            f"not signal {signal.signal_id}"
        )
    if order.strategy_id not in (None, signal.strategy_id):
        raise AttributionMismatchError(
            f"order {order.client_order_id} names strategy {order.strategy_id!r} but its signal "
            f"{signal.signal_id} belongs to strategy {signal.strategy_id!r}"
        )
    order.signal_id = signal.signal_id
    order.strategy_id = signal.strategy_id


def attribute(trades: Iterable[Trade], orders: Mapping[int, OrderAttribution]) -> list[Trade]:
    """Set each trade's ``signal_id``, ``strategy_id`` and ``exit_reason`` from ``orders``
    (the attribution of each order by ``order_pk``; an order missing from it says nothing).

    Every trade's three fields are overwritten (a trade rebuilt without attribution
    loses none it should have, and keeps none it should not); returns the trades.
    """
    done = []
    for trade in trades:
        _set(trade, orders)
        done.append(trade)
    return done


def attribute_stream(
    trades: Iterable[Trade],
    lookup: Callable[[list[int]], Mapping[int, OrderAttribution]],
    batch: int = LOOKUP_BATCH,
) -> Iterator[Trade]:
    """:func:`attribute` over a stream of trades just made (by the trade builder, not yet
    stored): ``batch`` trades at a time, their orders read by ``lookup(order_pks)`` once per
    batch (memory stays flat, whatever the history).

    The values go straight into each new trade's ``__dict__``, as
    :func:`~gal_friday.domain.construction.assemble` makes objects (an assignment would run
    the field's checks, and on a mapped class its change tracking, for values already
    checked on their order: a third of the cost of making the trade). A trade a store
    already tracks must go through :func:`attribute`.
    """
    iterator = iter(trades)
    while chunk := list(itertools.islice(iterator, batch)):
        keys = {
            pk
            for trade in chunk
            for pk in (trade.entry_order_pk, trade.exit_order_pk)
            if pk is not None
        }
        found = lookup(sorted(keys)) if keys else {}
        for trade in chunk:
            try:
                _set_fresh(trade, found)
            except KeyError:  # not a trade just made (a field not loaded): the safe way
                _set(trade, found)
        yield from chunk


def _set(trade: Trade, orders: Mapping[int, OrderAttribution]) -> None:
    entry = None if trade.entry_order_pk is None else orders.get(trade.entry_order_pk)
    entry = entry or UNATTRIBUTED
    reason = None
    if trade.exit_order_pk is not None and trade.exit_timestamp is not None:
        closer = orders.get(trade.exit_order_pk)
        reason = None if closer is None else closer.reason
    # assigned only when they change: an assignment runs the field's checks (and, on a mapped
    # class, its instrumentation), and most trades (imported histories) have nothing to take
    if trade.signal_id != entry.signal_id:
        trade.signal_id = entry.signal_id
    if trade.strategy_id != entry.strategy_id:
        trade.strategy_id = entry.strategy_id
    if trade.exit_reason != reason:
        trade.exit_reason = reason


def _set_fresh(trade: Trade, orders: Mapping[int, OrderAttribution]) -> None:
    """:func:`_set` for a trade just made: only its ``__dict__`` changes (see above)."""
    values = trade.__dict__
    entry = values["entry_order_pk"]
    taken = UNATTRIBUTED if entry is None else orders.get(entry, UNATTRIBUTED)
    closer = values["exit_order_pk"]
    reason = None
    if closer is not None and values["exit_timestamp"] is not None:
        reason = orders.get(closer, UNATTRIBUTED).reason
    values["signal_id"], values["strategy_id"], values["exit_reason"] = (
        taken.signal_id,
        taken.strategy_id,
        reason,
    )
