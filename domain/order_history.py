"""An order's status history: every change of status, when, why, and how much was filled.

The :class:`~gal_friday.domain.order.Order` notes each change of its status as it makes it
(:func:`note_change`); the store takes the noted changes (:func:`take_changes`) and writes
them in the transaction that writes the order, one row each (docs/orders.md, "History").
A fill that leaves the status as it was (a second partial fill) is no change. Noted
changes are transient: an order read back from the store has none until it changes again.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import attrs

from gal_friday.domain.enums import OrderStatus

#: Where an order keeps the changes the store has not written yet (not a mapped column).
PENDING_ATTR = "_status_changes"
#: The longest reason stored (longer ones are cut, with an ellipsis).
REASON_LENGTH = 1000


@attrs.frozen
class StatusChange:
    """One change of an order's status.

    ``from_status`` is None for the order's first state (its creation); ``filled_quantity``
    is the order's filled quantity right after the change; ``order_pk`` is None until the
    change is stored.
    """

    from_status: OrderStatus | None
    to_status: OrderStatus
    changed_at: datetime
    reason: str
    filled_quantity: Decimal
    order_pk: int | None = None


def _cut(reason: str) -> str:
    return reason if len(reason) <= REASON_LENGTH else reason[: REASON_LENGTH - 1] + "\u2026"


def note_change(
    order: Any,
    from_status: OrderStatus | None,
    at: datetime,
    reason: str,
) -> None:
    """Note that ``order`` went from ``from_status`` to its current status at ``at``."""
    change = StatusChange(
        from_status, order.status, at, _cut(reason), order.filled_quantity, order.order_pk
    )
    order.__dict__.setdefault(PENDING_ATTR, []).append(change)


def pending_changes(order: Any) -> list[StatusChange]:
    """The changes ``order`` noted and the store has not written yet (oldest first)."""
    return list(order.__dict__.get(PENDING_ATTR, ()))


def take_changes(order: Any) -> list[StatusChange]:
    """The pending changes of ``order``, removed from it (the store writes them now)."""
    taken: list[StatusChange] = order.__dict__.pop(PENDING_ATTR, [])
    return taken
