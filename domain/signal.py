"""A trading signal and its outcome.

Only a PROPOSED signal can be approved or rejected, and a rejection needs a
reason. A BUY's stop loss lies below its entry and its take profit above it
(mirrored for a SELL). A LIMIT entry needs a proposed entry price; a MARKET
entry may omit it, in which case stop and target are only checked against
each other.

``prediction_value`` and ``risk_check_details`` are put in the library's JSON encoding
when set (:mod:`gal_friday.domain.json_values`, ``docs/payloads.md``): a ``Decimal`` is
kept as the string of its exact digits, a numpy scalar as its number; a value without an
encoding is refused naming its path (``risk_check_details.limits[2].max``).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import attrs

from gal_friday.domain import values as v
from gal_friday.domain.enums import OrderType, Side, SignalStatus
from gal_friday.domain.errors import InvalidTransitionError, InvalidValueError
from gal_friday.domain.json_values import json_document

ENTRY_TYPES = (OrderType.LIMIT, OrderType.MARKET)


def _entry_type(value: object, field: str) -> OrderType:
    entry = v.enum_value(OrderType, value, field)
    if entry not in ENTRY_TYPES:
        raise InvalidValueError(field, f"{entry} is not LIMIT or MARKET")
    return entry


@attrs.define(slots=False, eq=False, kw_only=True, field_transformer=v.apply_checks)
class Signal:
    """A strategy's proposal to trade, before risk management acts on it."""

    trading_pair: str = attrs.field(metadata=v.check(v.trading_pair))
    exchange: str = attrs.field(metadata=v.check(v.exchange_id))
    strategy_id: str = attrs.field(metadata=v.check(v.external_id))
    side: Side = attrs.field(metadata=v.check(v.enum_of(Side)))
    entry_type: OrderType = attrs.field(metadata=v.check(_entry_type))
    proposed_entry_price: Decimal | None = attrs.field(
        default=None, metadata=v.check(v.money, optional=True)
    )
    proposed_sl_price: Decimal | None = attrs.field(
        default=None, metadata=v.check(v.money, optional=True)
    )
    proposed_tp_price: Decimal | None = attrs.field(
        default=None, metadata=v.check(v.money, optional=True)
    )
    signal_id: uuid.UUID = attrs.field(factory=uuid.uuid4, metadata=v.check(v.to_uuid))
    prediction_event_id: uuid.UUID | None = attrs.field(
        default=None, metadata=v.check(v.to_uuid, optional=True)
    )
    prediction_value: dict[str, Any] | None = attrs.field(
        default=None, metadata=v.check(json_document, optional=True)
    )
    status: SignalStatus = attrs.field(
        default=SignalStatus.PROPOSED,
        metadata=v.check(v.enum_of(SignalStatus)),
    )
    rejection_reason: str | None = None
    risk_check_details: dict[str, Any] | None = attrs.field(
        default=None, metadata=v.check(json_document, optional=True)
    )
    created_at: datetime = attrs.field(factory=lambda: datetime.now(UTC), metadata=v.check(v.utc))

    def __attrs_post_init__(self) -> None:
        self.check_prices()

    def check_prices(self) -> None:
        """Raise :class:`InvalidValueError` unless stop, entry and target are in a sane order."""
        entry, sl, tp = self.proposed_entry_price, self.proposed_sl_price, self.proposed_tp_price
        if self.entry_type is OrderType.LIMIT and entry is None:
            raise InvalidValueError("proposed_entry_price", "a LIMIT entry needs an entry price")
        below, above = ("proposed_sl_price", "proposed_tp_price")
        if self.side is Side.SELL:
            below, above = above, below
        low, high = (sl, tp) if self.side is Side.BUY else (tp, sl)
        if entry is not None:
            if low is not None and not low < entry:
                raise InvalidValueError(
                    below, f"{low} must be below the entry price {entry} for a {self.side}"
                )
            if high is not None and not high > entry:
                raise InvalidValueError(
                    above, f"{high} must be above the entry price {entry} for a {self.side}"
                )
        elif low is not None and high is not None and not low < high:
            raise InvalidValueError(
                below, f"{low} must be below {high} ({above}) for a {self.side}"
            )

    def approve(self, details: dict[str, Any] | None = None) -> None:
        """Risk management accepted the signal."""
        self._decide(SignalStatus.APPROVED, None, details)

    def reject_risk(self, reason: str, details: dict[str, Any] | None = None) -> None:
        """Risk management refused the signal."""
        self._decide(SignalStatus.REJECTED_RISK, reason, details)

    def reject_error(self, reason: str, details: dict[str, Any] | None = None) -> None:
        """The signal could not be processed."""
        self._decide(SignalStatus.REJECTED_ERROR, reason, details)

    def _decide(
        self, target: SignalStatus, reason: str | None, details: dict[str, Any] | None
    ) -> None:
        if self.status is not SignalStatus.PROPOSED:
            raise InvalidTransitionError("signal", self.status.value, target.value)
        if target is not SignalStatus.APPROVED:
            reason = v.non_empty(reason, "rejection_reason", max_length=10_000)
        self.status = target
        self.rejection_reason = reason
        if details is not None:
            self.risk_check_details = dict(details)
