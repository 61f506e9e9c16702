"""A fill that arrives again: a replay, a duplicate with other data, or a conflict.

One rule for every store (the database's live path and the in-memory fakes): when a fill
id is already stored for the exchange, the arrival is judged against the stored fill
before any other rule of the order (:func:`judge_repeated_fill`); otherwise the order's
own rules apply (``Order.apply_fill``).
"""

from __future__ import annotations

from typing import Literal

import attrs

from gal_friday.domain.errors import DuplicateFillError, FillConflictError
from gal_friday.domain.fill import Fill


@attrs.frozen
class OrderName:
    """How an error names an order: Gal-Friday's id, and the exchange's when known."""

    client_order_id: str
    exchange_order_id: str | None = None

    def __str__(self) -> str:
        suffix = f" (exchange order {self.exchange_order_id})" if self.exchange_order_id else ""
        return f"{self.client_order_id}{suffix}"


def judge_repeated_fill(
    fill: Fill, stored: Fill, *, sent_to: OrderName, stored_on: OrderName
) -> Literal[False]:
    """The verdict on ``fill`` arriving for order ``sent_to`` while ``stored`` (same exchange,
    same fill id) is stored on order ``stored_on``.

    False (nothing to record: an identical replay) when it is the same execution on the
    same order; :class:`FillConflictError` when another order holds it;
    :class:`DuplicateFillError` when the data differ.
    """
    if stored_on.client_order_id != sent_to.client_order_id:
        raise FillConflictError(fill.fill_id, str(stored_on), str(sent_to))
    if not stored.same_execution(fill):
        raise DuplicateFillError(
            fill.fill_id, f"order {sent_to.client_order_id} has it with different data"
        )
    return False
