"""Whatever the bot does to an order, in any order (docs/orders.md): the history it notes is
one chain of allowed moves from its creation to its status, with the filled quantity of each
moment, and an operation that is refused notes nothing."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from gal_friday.domain import ALLOWED_TRANSITIONS, DomainError, OrderStatus
from gal_friday.domain.order_history import pending_changes
from tests.factories import at, make_fill, make_order

S = OrderStatus
OPERATIONS = ("ack", "fill", "request_cancel", "cancel_refused", "cancel", "expire", "reject")
#: The moves back from CANCEL_REQUESTED, only through cancel_refused.
BACK = {(S.CANCEL_REQUESTED, s) for s in (S.PENDING_SUBMIT, S.OPEN, S.PARTIALLY_FILLED)}


def _apply(order, operation: str, step: int, quantity: Decimal) -> None:
    when = at(step)
    if operation == "ack":
        order.mark_submitted("OX-1", when)
    elif operation == "fill":
        order.apply_fill(make_fill(f"F{step}", quantity_filled=quantity, filled_at=when))
    elif operation == "request_cancel":
        order.request_cancel(when)
    elif operation == "cancel_refused":
        order.cancel_refused("EOrder:Unknown order", when)
    elif operation == "reject":
        order.reject("EOrder:Insufficient funds", when)
    else:
        getattr(order, operation)(when)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(OPERATIONS), st.sampled_from(["0.25", "0.5", "1", "3"])),
        max_size=12,
    )
)
def test_the_noted_history_is_one_chain_of_allowed_moves(operations):
    order = make_order(quantity_ordered=Decimal(2))
    for step, (operation, quantity) in enumerate(operations, start=1):
        noted = pending_changes(order)
        status, filled = order.status, order.filled_quantity
        try:
            _apply(order, operation, step, Decimal(quantity))
        except DomainError:
            assert pending_changes(order) == noted
            assert (order.status, order.filled_quantity) == (status, filled)
            continue
        changes = pending_changes(order)
        assert len(changes) - len(noted) == (order.status is not status)
        if order.status is not status:
            assert changes[-1].filled_quantity == order.filled_quantity
            assert changes[-1].changed_at == at(step)
    changes = pending_changes(order)
    assert changes[0].from_status is None
    assert [c.from_status for c in changes[1:]] == [c.to_status for c in changes[:-1]]
    assert changes[-1].to_status is order.status
    for change in changes[1:]:
        move = (change.from_status, change.to_status)
        assert change.to_status in ALLOWED_TRANSITIONS[change.from_status] or move in BACK
    quantities = [c.filled_quantity for c in changes]
    assert quantities == sorted(quantities)
