"""An order and its lifecycle: status transitions and fill aggregation.

Rules (docs/trading-rules.md, "Orders and fills"):

* Transitions follow :data:`ALLOWED_TRANSITIONS`; anything else raises
  :class:`InvalidTransitionError` naming both states.
* An acknowledgement that arrives after a fill (the order is already
  PARTIALLY_FILLED or FILLED) records ``submitted_at`` and
  ``exchange_order_id`` and leaves the status alone.
* A fill must match the order's pair, exchange, side and, when both are
  known, exchange order id. Replaying an identical fill is a no-op; the same
  ``fill_id`` with other data is a :class:`DuplicateFillError`; a fill that
  would overfill is an :class:`OverfillError`. Neither changes anything.
* A CANCELLED or EXPIRED order still takes a late fill that happened at or
  before the moment it closed (``closed_at``); its status stays. A fill
  stamped after that moment is refused: it contradicts the recorded cancel
  and needs a human to look at it.
* The order carries the aggregates its rules need, so that a fill can be applied
  without the order's fill list (:meth:`Order.apply_new_fill`, the live path's
  constant-cost write): ``filled_quantity``, ``fill_notional`` (the exact sum of
  ``quantity_filled * fill_price``, never rounded), ``commissions`` per asset
  and, derived from the first two, ``average_fill_price``: the exact VWAP
  ``fill_notional / filled_quantity`` rounded half-even to 18 places, the same
  figure as recomputing it from every fill. Every fill changes the row and its
  version.
* Every change of status is noted with its time, reason and the filled quantity
  (:mod:`gal_friday.domain.order_history`); the store writes them with the order.
  CANCEL_REQUESTED (a cancel sent, not confirmed) still takes fills (docs/orders.md).
* A stored fill changes only through its order (:meth:`Order.correct_fill_fee`, a
  ledger's fee), which recomputes the aggregates from its fills.
"""

from __future__ import annotations

import bisect
import operator
import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import attrs

from gal_friday.domain import client_order_ids as ids
from gal_friday.domain import construction
from gal_friday.domain import values as v
from gal_friday.domain.enums import OrderStatus, OrderType, Side
from gal_friday.domain.errors import (
    DuplicateFillError,
    FillMismatchError,
    InvalidTransitionError,
    InvalidValueError,
    OverfillError,
)
from gal_friday.domain.fill import Fill, check_base_fee
from gal_friday.domain.order_history import note_change

S = OrderStatus
ALLOWED_TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    S.PENDING_SUBMIT: frozenset(
        {S.OPEN, S.REJECTED, S.CANCELLED, S.PARTIALLY_FILLED, S.FILLED, S.CANCEL_REQUESTED}
    ),
    S.OPEN: frozenset({S.PARTIALLY_FILLED, S.FILLED, S.CANCELLED, S.EXPIRED, S.CANCEL_REQUESTED}),
    S.PARTIALLY_FILLED: frozenset(
        {S.PARTIALLY_FILLED, S.FILLED, S.CANCELLED, S.EXPIRED, S.CANCEL_REQUESTED}
    ),
    # a cancel on its way: fills still arrive (a partial one keeps the status); the way
    # back, when the exchange refuses the cancel, is Order.cancel_refused (docs/orders.md)
    S.CANCEL_REQUESTED: frozenset({S.CANCEL_REQUESTED, S.FILLED, S.CANCELLED, S.EXPIRED}),
    S.FILLED: frozenset(),
    S.CANCELLED: frozenset(),
    S.EXPIRED: frozenset(),
    S.REJECTED: frozenset(),
}

_NEEDS_LIMIT = frozenset(t for t in OrderType if t.has_limit_price)
_NEEDS_STOP = frozenset(t for t in OrderType if t.has_stop_price)
#: The statuses an acknowledgement arriving late (after a fill, a cancel request) keeps.
_ACK_KEEPS_STATUS = frozenset({S.PARTIALLY_FILLED, S.FILLED, S.CANCEL_REQUESTED})


def _now() -> datetime:
    return datetime.now(UTC)


def check_transition(current: OrderStatus, target: OrderStatus) -> None:
    """Raise :class:`InvalidTransitionError` unless ``current -> target`` is allowed."""
    if target not in ALLOWED_TRANSITIONS[current]:
        raise InvalidTransitionError("order", current.value, target.value)


def _exact_sum(value: object, field: str) -> Decimal:
    """A non-negative exact amount of any scale (a sum of products: never rounded)."""
    amount = v.to_decimal(value, field)
    if amount < 0:
        raise InvalidValueError(field, f"must not be negative, got {amount}")
    return v.tidy(amount)


def _commission_totals(value: object, field: str) -> dict[str, Decimal]:
    """Commissions per asset, each an exact amount; negative where rebates outweigh fees."""
    if not isinstance(value, dict):
        raise InvalidValueError(field, "must be a mapping of asset to amount")
    return {
        v.non_empty(str(asset), field): v.tidy(v.to_decimal(amount, f"{field}[{asset!r}]"))
        for asset, amount in value.items()
    }


@attrs.define(slots=False, eq=False, kw_only=True, field_transformer=v.apply_checks)
class Order:
    """An order placed by Gal-Friday, with the fills the exchange reported for it."""

    trading_pair: str = attrs.field(metadata=v.check(v.trading_pair))
    exchange: str = attrs.field(metadata=v.check(v.exchange_id))
    side: Side = attrs.field(metadata=v.check(v.enum_of(Side)))
    order_type: OrderType = attrs.field(metadata=v.check(v.enum_of(OrderType)))
    quantity_ordered: Decimal = attrs.field(metadata=v.check(v.money))
    limit_price: Decimal | None = attrs.field(
        default=None, metadata=v.check(v.money, optional=True)
    )
    stop_price: Decimal | None = attrs.field(default=None, metadata=v.check(v.money, optional=True))
    #: Gal-Friday's id, text (a UUID given becomes its canonical text): docs/orders.md.
    client_order_id: str = attrs.field(
        factory=ids.new_client_order_id, metadata=v.check(ids.client_order_id)
    )
    exchange_order_id: str | None = attrs.field(
        default=None, metadata=v.check(v.external_id, optional=True)
    )
    signal_id: uuid.UUID | None = attrs.field(
        default=None, metadata=v.check(v.to_uuid, optional=True)
    )
    #: The strategy that placed the order; its signal's when it has one (docs/attribution.md).
    strategy_id: str | None = attrs.field(
        default=None, metadata=v.check(v.external_id, optional=True)
    )
    #: Why the order was placed (free text; usual values in docs/attribution.md).
    reason: str | None = attrs.field(default=None, metadata=v.check(v.external_id, optional=True))
    status: OrderStatus = attrs.field(
        default=OrderStatus.PENDING_SUBMIT,
        metadata=v.check(v.enum_of(OrderStatus)),
    )
    error_message: str | None = None
    created_at: datetime = attrs.field(factory=_now, metadata=v.check(v.utc))
    submitted_at: datetime | None = attrs.field(
        default=None, metadata=v.check(v.utc, optional=True)
    )
    last_updated_at: datetime = attrs.field(
        default=attrs.Factory(lambda self: self.created_at, takes_self=True),
        metadata=v.check(v.utc),
    )
    closed_at: datetime | None = attrs.field(default=None, metadata=v.check(v.utc, optional=True))
    filled_quantity: Decimal = attrs.field(default=Decimal(0), metadata=v.check(v.money_or_zero))
    average_fill_price: Decimal | None = attrs.field(
        default=None, metadata=v.check(v.money, optional=True)
    )
    fill_notional: Decimal = attrs.field(default=Decimal(0), metadata=v.check(_exact_sum))
    commissions: dict[str, Decimal] = attrs.field(
        factory=dict, metadata=v.check(_commission_totals)
    )
    fills: list[Fill] = attrs.field(factory=list)
    order_pk: int | None = None

    def __attrs_post_init__(self) -> None:
        _check_prices(self.order_type, self.limit_price, self.stop_price)
        note_change(self, None, self.created_at, "created")
        if self.fills:
            given, self.fills = list(self.fills), []
            self.filled_quantity, self.fill_notional, self.commissions = Decimal(0), Decimal(0), {}
            self.average_fill_price = None
            for fill in given:
                self.apply_fill(fill)

    @classmethod
    def filled_by(
        cls,
        fills: Sequence[Fill],
        *,
        order_type: OrderType,
        exchange_order_id: str,
        limit_price: Decimal | None = None,
        stop_price: Decimal | None = None,
    ) -> Order:
        """An order known only through its fills (an imported history), FILLED by them.

        The same order as one created at the first fill, acknowledged then, and
        given each fill: ``quantity_ordered`` is the sum of the fills, the status
        FILLED, ``closed_at`` the last fill's time. The fills must be validated
        :class:`Fill` objects of one pair, exchange, side and exchange order id,
        with distinct ids; built in one step, for imports of many orders.
        """
        if not fills:
            raise InvalidValueError("fills", "an order filled by its fills needs at least one")
        order_type = v.enum_value(OrderType, order_type, "order_type")
        exchange_order_id = v.external_id(exchange_order_id, "exchange_order_id")
        limit_price = None if limit_price is None else v.money(limit_price, "limit_price")
        stop_price = None if stop_price is None else v.money(stop_price, "stop_price")
        _check_prices(order_type, limit_price, stop_price)
        # each fill's values read once (an import makes orders by the hundred thousand)
        read = [(fill_values(fill), fill) for fill in fills]
        if len(read) > 1:
            read.sort(key=_time_order)
        ordered = [fill for _, fill in read]
        first = read[0][0]
        seen: set[str] = set()
        for values, _ in read:
            if values[_PAIR : _SIDE + 1] != first[_PAIR : _SIDE + 1]:
                raise FillMismatchError(
                    f"fill {values[_ID]!r} is a {values[_EXCHANGE]} {values[_PAIR]} "
                    f"{values[_SIDE]}, fill {first[_ID]!r} a {first[_EXCHANGE]} "
                    f"{first[_PAIR]} {first[_SIDE]}: they cannot share an order"
                )
            if values[_ORDER_ID] not in (None, exchange_order_id):
                raise FillMismatchError(
                    f"fill {values[_ID]!r} belongs to exchange order "
                    f"{values[_ORDER_ID]!r}, not {exchange_order_id!r}"
                )
            if values[_ID] in seen:
                raise DuplicateFillError(values[_ID], "it appears twice among the order's fills")
            seen.add(values[_ID])
        for values, fill in read:  # only once all of them are known to fit
            if values[_ORDER_ID] is None:
                fill.exchange_order_id = exchange_order_id
        totals = _aggregates(values for values, _ in read)
        quantity = totals.filled_quantity
        last_time = read[-1][0][_TIME]
        return construction.assemble(
            cls,
            {
                "trading_pair": first[_PAIR],
                "exchange": first[_EXCHANGE],
                "side": first[_SIDE],
                "order_type": order_type,
                "quantity_ordered": quantity,
                "limit_price": limit_price,
                "stop_price": stop_price,
                "client_order_id": ids.new_client_order_id(),
                "exchange_order_id": exchange_order_id,
                "signal_id": None,
                "strategy_id": None,
                "reason": None,
                "status": S.FILLED,
                "error_message": None,
                "created_at": first[_TIME],
                "submitted_at": first[_TIME],
                "last_updated_at": last_time,
                "closed_at": last_time,
                "filled_quantity": quantity,
                "average_fill_price": totals.average_fill_price,
                "fill_notional": totals.fill_notional,
                "commissions": totals.commissions,
                "fills": ordered,
                "order_pk": None,
            },
        )

    # -- derived figures -------------------------------------------------------------------

    @property
    def remaining_quantity(self) -> Decimal:
        """``quantity_ordered - filled_quantity``."""
        with v.exact():
            return self.quantity_ordered - self.filled_quantity

    @property
    def is_open(self) -> bool:
        """True while the exchange may still fill the order."""
        return self.status.is_open

    def fill_by_id(self, fill_id: str) -> Fill | None:
        """The fill with ``fill_id``, if the order has it."""
        return next((f for f in self.fills if f.fill_id == fill_id), None)

    # -- lifecycle -------------------------------------------------------------------------

    def mark_submitted(self, exchange_order_id: str, at: datetime, *, reason: str = "") -> None:
        """The exchange acknowledged the order (Kraken: with its txid): PENDING_SUBMIT -> OPEN.

        An acknowledgement that arrives after a fill or a cancel request records the id and
        the time and keeps the status. ``reason`` is kept in the status history.
        """
        exchange_order_id = v.external_id(exchange_order_id, "exchange_order_id")
        at = v.utc(at, "at")
        if self.exchange_order_id not in (None, exchange_order_id):
            raise FillMismatchError(
                f"order {self.client_order_id} already has exchange id "
                f"{self.exchange_order_id!r}, not {exchange_order_id!r}"
            )
        before = self.status
        if before in _ACK_KEEPS_STATUS and self.submitted_at is None:
            pass  # the acknowledgement arrived after a fill: record it, keep the status
        else:
            check_transition(before, S.OPEN)
            self.status = S.OPEN
        self.exchange_order_id = exchange_order_id
        self.submitted_at = at
        self._touch(at)
        if self.status is not before:
            note_change(self, before, at, reason or f"acknowledged as {exchange_order_id}")

    def request_cancel(self, at: datetime, *, reason: str = "") -> None:
        """A cancel was sent and is not confirmed yet: CANCEL_REQUESTED, which still takes
        fills (a fill completing the order makes it FILLED); :meth:`cancel` confirms it,
        :meth:`cancel_refused` undoes it."""
        at = v.utc(at, "at")
        before = self.status
        check_transition(before, S.CANCEL_REQUESTED)
        if before is S.CANCEL_REQUESTED:
            raise InvalidTransitionError("order", before.value, S.CANCEL_REQUESTED.value)
        self.status = S.CANCEL_REQUESTED
        self._touch(at)
        note_change(self, before, at, reason or "cancel requested")

    def cancel_refused(self, reason: str, at: datetime) -> None:
        """The exchange refused a requested cancel: the order is open again, PARTIALLY_FILLED
        when it has fills, else OPEN once acknowledged, else PENDING_SUBMIT."""
        reason = v.non_empty(reason, "reason", max_length=10_000)
        at = v.utc(at, "at")
        before = self.status
        if before is not S.CANCEL_REQUESTED:
            raise InvalidTransitionError("order", before.value, "a refused cancel")
        if self.filled_quantity:
            self.status = S.PARTIALLY_FILLED
        elif self.submitted_at is not None:
            self.status = S.OPEN
        else:
            self.status = S.PENDING_SUBMIT
        self._touch(at)
        note_change(self, before, at, f"cancel refused: {reason}")

    def cancel(self, at: datetime, *, reason: str = "") -> None:
        """The order was cancelled; fills that happened before ``at`` may still arrive."""
        self._close(S.CANCELLED, at, reason or "cancelled")

    def expire(self, at: datetime, *, reason: str = "") -> None:
        """The order expired on the exchange."""
        self._close(S.EXPIRED, at, reason or "expired")

    def reject(self, reason: str, at: datetime) -> None:
        """The exchange or the system refused the order (also: it could not be sent)."""
        reason = v.non_empty(reason, "reason", max_length=10_000)
        self._close(S.REJECTED, at, reason)
        self.error_message = reason

    def _close(self, target: OrderStatus, at: datetime, reason: str) -> None:
        at = v.utc(at, "at")
        before = self.status
        check_transition(before, target)
        self.status = target
        self.closed_at = at
        self._touch(at)
        note_change(self, before, at, reason)

    def _touch(self, at: datetime) -> None:
        self.last_updated_at = max(self.last_updated_at, at)

    # -- fills -----------------------------------------------------------------------------

    def apply_fill(self, fill: Fill) -> bool:
        """Apply one fill; return False when it is an identical replay (nothing changes)."""
        self._check_belongs(fill)
        known = self.fill_by_id(fill.fill_id)
        if known is not None:
            if known is fill or known.same_execution(fill):
                return False
            raise DuplicateFillError(
                fill.fill_id, f"order {self.client_order_id} has it with different data"
            )
        self._take(fill)
        bisect.insort(self.fills, fill, key=lambda f: f.sort_key)
        return True

    def apply_new_fill(self, fill: Fill) -> None:
        """Apply a fill this order does not have yet, working on its aggregates only.

        The constant-cost form of :meth:`apply_fill` for an order loaded without its
        fill list (the live path): every rule but the replay check, which needs the
        order's fills, applies; the store catches a replay with its fill-id
        constraint instead. ``fills`` is left as it is. Refused fills change nothing.
        """
        self._check_belongs(fill)
        self._take(fill)

    def _take(self, fill: Fill) -> None:
        """Check the order accepts ``fill``, then move its aggregates, status and times."""
        self._check_accepts_fill(fill)
        with v.exact():
            new_filled = self.filled_quantity + fill.quantity_filled
            notional = self.fill_notional + fill.quantity_filled * fill.fill_price
            paid = self.commissions.get(fill.commission_asset, Decimal(0)) + fill.commission
            extra = {
                asset: self.commissions.get(asset, Decimal(0)) + amount
                for asset, amount in fill.extra_commissions.items()
            }
        if new_filled > self.quantity_ordered:
            raise OverfillError(
                f"fill {fill.fill_id!r} of {fill.quantity_filled} would fill {new_filled} "
                f"of the {self.quantity_ordered} ordered on order {self.client_order_id}"
            )
        average = _average(new_filled, notional)  # may refuse: before anything changes
        if fill.exchange_order_id is None:
            fill.exchange_order_id = self.exchange_order_id
        elif self.exchange_order_id is None:
            self.exchange_order_id = fill.exchange_order_id
        self.filled_quantity = v.tidy(new_filled)
        self.fill_notional = v.tidy(notional)
        self.average_fill_price = average
        self.commissions = {**self.commissions, fill.commission_asset: v.tidy(paid)}
        for asset, amount in extra.items():
            self.commissions[asset] = v.tidy(amount)
        if self.status.is_open:
            before = self.status
            if self.filled_quantity == self.quantity_ordered:
                target = S.FILLED
            elif before is S.CANCEL_REQUESTED:
                target = S.CANCEL_REQUESTED  # the cancel is still on its way
            else:
                target = S.PARTIALLY_FILLED
            check_transition(before, target)
            self.status = target
            if target is S.FILLED:
                self.closed_at = fill.filled_at
            if target is not before:
                note_change(self, before, fill.filled_at, f"fill {fill.fill_id}")
        self._touch(fill.filled_at)

    def extend_with(
        self,
        fills: Sequence[Fill],
        *,
        limit_price: Decimal | None = None,
        stop_price: Decimal | None = None,
    ) -> None:
        """More fills of an order known only through its fills (an imported order split
        across two exports, or two chunks of one file).

        The order must be FILLED by exactly its fills (as :meth:`filled_by` makes it);
        it stays FILLED, ``quantity_ordered`` grows by the new fills, ``created_at`` /
        ``submitted_at`` move to the earliest fill and ``closed_at`` /
        ``last_updated_at`` to the latest; ``filled_quantity``, ``fill_notional``,
        ``average_fill_price`` and ``commissions`` become those of all its fills
        (:func:`fill_aggregates`, as :meth:`filled_by` computes them).
        ``limit_price`` / ``stop_price``, when given, replace the ones inferred from
        the earlier fills. Refused, changing nothing: no fills; an order not filled by
        exactly its fills; a fill of another pair, exchange, side or exchange order id;
        a fill id the order already has or that appears twice; prices the order type
        does not allow.
        """
        if not fills:
            raise InvalidValueError("fills", "extending an order needs at least one fill")
        if self.status is not S.FILLED or self.filled_quantity != self.quantity_ordered:
            raise InvalidTransitionError(
                "order",
                self.status.value,
                "more fills",
                f"order {self.client_order_id} is not an order filled by exactly its fills",
            )
        limit = self.limit_price if limit_price is None else v.money(limit_price, "limit_price")
        stop = self.stop_price if stop_price is None else v.money(stop_price, "stop_price")
        _check_prices(self.order_type, limit, stop)
        seen = {fill.fill_id for fill in self.fills}
        for fill in fills:
            self._check_belongs(fill)
            if fill.fill_id in seen:
                raise DuplicateFillError(
                    fill.fill_id, f"order {self.client_order_id} already has a fill with this id"
                )
            seen.add(fill.fill_id)
        for fill in sorted(fills, key=lambda f: f.sort_key):  # only once all of them fit
            if fill.exchange_order_id is None:
                fill.exchange_order_id = self.exchange_order_id
            bisect.insort(self.fills, fill, key=lambda f: f.sort_key)
        totals = fill_aggregates(self.fills)  # the figures filled_by gives for all its fills
        self.filled_quantity = totals.filled_quantity
        self.fill_notional = totals.fill_notional
        self.average_fill_price = totals.average_fill_price
        self.commissions = totals.commissions
        self.quantity_ordered = self.filled_quantity
        self.limit_price, self.stop_price = limit, stop
        first, last = self.fills[0].filled_at, self.fills[-1].filled_at
        self.created_at = min(self.created_at, first)
        if self.submitted_at is not None:
            self.submitted_at = min(self.submitted_at, first)
        self.closed_at = max(self.closed_at or last, last)
        self._touch(last)

    def correct_fill_fee(self, fill_id: str, commission: Decimal, commission_asset: str) -> bool:
        """One of this order's fills was charged ``commission`` in ``commission_asset``
        (the exchange's ledger says so: docs/ledgers.md); False when the fill has it already.

        The fill takes the fee and the order's aggregates become those of its fills
        (:func:`fill_aggregates`, as :meth:`extend_with` computes them), so that the order
        row never disagrees with its fills. Refused, changing nothing: a fill the order does
        not have; a fee the fill's checks refuse (a base-asset fee not below a buy's
        quantity, say: :func:`~gal_friday.domain.fill.check_base_fee`).
        """
        fill = self.fill_by_id(fill_id)
        if fill is None:
            raise FillMismatchError(f"order {self.client_order_id} has no fill {fill_id!r}")
        commission = v.commission(commission, "commission")
        commission_asset = v.upper_code(commission_asset, "commission_asset")
        if (fill.commission, fill.commission_asset) == (commission, commission_asset):
            return False
        if commission_asset == fill.base_asset:
            check_base_fee(
                fill.fill_id, fill.side, fill.quantity_filled, commission, commission_asset
            )
        fill.commission = commission
        fill.commission_asset = commission_asset
        totals = fill_aggregates(self.fills)
        self.filled_quantity = totals.filled_quantity
        self.fill_notional = totals.fill_notional
        self.average_fill_price = totals.average_fill_price
        self.commissions = totals.commissions
        return True

    def take_ledger_amounts(
        self,
        fill_id: str,
        *,
        fill_price: Decimal,
        commissions: Mapping[str, Decimal],
        commission_asset: str,
        reported: Mapping[str, Decimal],
    ) -> bool:
        """One of this order's fills takes what the exchange's ledger moved (docs/ledgers.md,
        "Differences"): the price ``|quote moved| / |base moved|``, the ``commissions`` per
        asset (``commission_asset``'s is the fill's ``commission``, the others its extra
        commissions; a missing ``commission_asset`` pays 0) and the ``reported`` trades.csv
        figures; False when the fill has them already.

        The order's aggregates become those of its fills (:func:`fill_aggregates`). Refused,
        changing nothing: a fill the order does not have; values a fill refuses (a price
        not above 0, a base-asset fee not below a buy's quantity).
        """
        fill = self.fill_by_id(fill_id)
        if fill is None:
            raise FillMismatchError(f"order {self.client_order_id} has no fill {fill_id!r}")
        price = v.money(fill_price, "fill_price")
        asset = v.upper_code(commission_asset, "commission_asset")
        extra = {a: amount for a, amount in commissions.items() if a != asset and amount}
        candidate = construction.checked(
            Fill,
            {
                **{name: getattr(fill, name) for name in FILL_VALUES},
                "fill_price": price,
                "commission": commissions.get(asset, Decimal(0)),
                "commission_asset": asset,
                "extra_commissions": extra,
                "reported": dict(reported),
            },
        )
        names = ("fill_price", "commission", "commission_asset", "extra_commissions", "reported")
        if all(getattr(fill, name) == getattr(candidate, name) for name in names):
            return False
        for name in names:
            setattr(fill, name, getattr(candidate, name))
        totals = fill_aggregates(self.fills)
        self.filled_quantity = totals.filled_quantity
        self.fill_notional = totals.fill_notional
        self.average_fill_price = totals.average_fill_price
        self.commissions = totals.commissions
        return True

    def _check_belongs(self, fill: Fill) -> None:
        for name in ("trading_pair", "exchange", "side"):
            if getattr(fill, name) != getattr(self, name):
                raise FillMismatchError(
                    f"fill {fill.fill_id!r} has {name} {getattr(fill, name)!s}, "
                    f"order {self.client_order_id} has {getattr(self, name)!s}"
                )
        if (
            fill.exchange_order_id is not None
            and self.exchange_order_id is not None
            and fill.exchange_order_id != self.exchange_order_id
        ):
            raise FillMismatchError(
                f"fill {fill.fill_id!r} belongs to exchange order {fill.exchange_order_id!r}, "
                f"not {self.exchange_order_id!r}"
            )

    def _check_accepts_fill(self, fill: Fill) -> None:
        if self.status is S.REJECTED:
            raise InvalidTransitionError(
                "order", S.REJECTED.value, "a fill", f"fill {fill.fill_id!r} on a rejected order"
            )
        closed_at = self.closed_at
        if self.status in (S.CANCELLED, S.EXPIRED) and closed_at and fill.filled_at > closed_at:
            raise InvalidTransitionError(
                "order",
                self.status.value,
                "a fill",
                f"fill {fill.fill_id!r} at {fill.filled_at.isoformat()} is after the order "
                f"was {self.status.value.lower()} at {closed_at.isoformat()}",
            )


def _average(quantity: Decimal, notional: Decimal) -> Decimal | None:
    """The VWAP ``notional / quantity``, computed exactly, rounded half-even to 18 places."""
    if not quantity:
        return None
    with v.exact():
        return v.computed_amount(notional / quantity, "average_fill_price")


@attrs.frozen
class FillAggregates:
    """What an order's fills add up to: the figures the order row carries."""

    filled_quantity: Decimal
    fill_notional: Decimal
    average_fill_price: Decimal | None
    commissions: dict[str, Decimal]


def fill_aggregates(fills: Sequence[Fill]) -> FillAggregates:
    """The aggregates of ``fills`` computed from the whole list (the reference figures)."""
    return _aggregates(fill_values(fill) for fill in fills)


#: What :meth:`Order.filled_by` and :func:`fill_aggregates` read of a fill, in this order.
FILL_VALUES = (
    "fill_id",
    "trading_pair",
    "exchange",
    "side",
    "quantity_filled",
    "fill_price",
    "commission",
    "commission_asset",
    "filled_at",
    "exchange_order_id",
    "extra_commissions",
)
_ID, _PAIR, _EXCHANGE, _SIDE, _QUANTITY, _PRICE, _COMMISSION, _ASSET, _TIME, _ORDER_ID = range(10)
_EXTRA = 10
_from_dict = operator.itemgetter(*FILL_VALUES)
_from_attributes = operator.attrgetter(*FILL_VALUES)


def fill_values(fill: Fill) -> tuple[Any, ...]:
    """A fill's :data:`FILL_VALUES`, from its ``__dict__`` when they are all there (attribute
    access on a mapped class is a Python call per read), else attribute by attribute."""
    try:
        return _from_dict(fill.__dict__)  # type: ignore[no-any-return]
    except KeyError:  # not loaded yet: let the object load it
        return _from_attributes(fill)


def _time_order(read: tuple[tuple[Any, ...], Fill]) -> tuple[datetime, str]:
    """:attr:`Fill.sort_key` of a fill read with :func:`fill_values`."""
    return read[0][_TIME], read[0][_ID]


def _aggregates(fills: Iterable[tuple[Any, ...]]) -> FillAggregates:
    """:func:`fill_aggregates` of fills read with :func:`fill_values` (the one computation)."""
    quantity = notional = Decimal(0)
    commissions: dict[str, Decimal] = {}
    with v.exact():
        for fill in fills:
            filled = fill[_QUANTITY]
            quantity += filled
            notional += filled * fill[_PRICE]
            asset = fill[_ASSET]
            commissions[asset] = commissions.get(asset, Decimal(0)) + fill[_COMMISSION]
            for asset, paid in fill[_EXTRA].items():  # a fee charged on both legs
                commissions[asset] = commissions.get(asset, Decimal(0)) + paid
    return FillAggregates(
        filled_quantity=v.tidy(quantity),
        fill_notional=v.tidy(notional),
        average_fill_price=_average(quantity, notional),
        commissions={asset: v.tidy(paid) for asset, paid in commissions.items()},
    )


def _check_prices(
    order_type: OrderType, limit_price: Decimal | None, stop_price: Decimal | None
) -> None:
    if order_type in _NEEDS_LIMIT and limit_price is None:
        raise InvalidValueError("limit_price", f"a {order_type} order needs a limit price")
    if order_type in _NEEDS_STOP and stop_price is None:
        raise InvalidValueError("stop_price", f"a {order_type} order needs a stop price")
    if order_type is OrderType.MARKET and limit_price is not None:
        raise InvalidValueError("limit_price", "a MARKET order has no limit price")
