"""The order lifecycle the bot meets on Kraken (docs/orders.md): CANCEL_REQUESTED and its
transitions, the status history an order notes, text client order ids, and the fakes."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

from gal_friday.domain import InvalidTransitionError, InvalidValueError, Order, OrderStatus
from gal_friday.domain.client_order_ids import CLIENT_ORDER_ID_LENGTH, client_order_id
from gal_friday.domain.order_history import StatusChange, pending_changes, take_changes
from gal_friday.persistence.in_memory import InMemoryUnitOfWork
from gal_friday.services.live_fills import FillOutcome, record_fill
from tests.factories import T0, at, make_fill, make_order

S = OrderStatus
D = Decimal
BOT_ID = "gf-1a2b3c4d-1733500000000000"


def _steps(changes: list[StatusChange]) -> list[tuple[S | None, S, str, Decimal]]:
    return [(c.from_status, c.to_status, c.reason, c.filled_quantity) for c in changes]


def _cancel_requested(quantity: str = "2") -> Order:
    order = make_order(quantity_ordered=D(quantity))
    order.mark_submitted("OX-1", at(1))
    order.request_cancel(at(2))
    return order


# -- CANCEL_REQUESTED -------------------------------------------------------------------------


def test_a_cancel_requested_order_is_open_and_keeps_its_status_through_partial_fills():
    order = _cancel_requested()
    assert order.status is S.CANCEL_REQUESTED
    assert order.is_open
    assert order.closed_at is None
    assert order.apply_fill(make_fill("P1", quantity_filled=D("0.5"), filled_at=at(3)))
    assert (order.status, order.filled_quantity) == (S.CANCEL_REQUESTED, D("0.5"))


def test_a_fill_completing_a_cancel_requested_order_fills_it():
    order = _cancel_requested("1")
    order.apply_fill(make_fill("P1", quantity_filled=D(1), filled_at=at(3)))
    assert (order.status, order.closed_at) == (S.FILLED, at(3))
    with pytest.raises(InvalidTransitionError):
        order.cancel(at(4))  # the cancel came too late: the order stays FILLED


def test_a_confirmed_cancel_still_takes_fills_executed_before_it():
    order = _cancel_requested()
    order.cancel(at(4))
    assert (order.status, order.closed_at) == (S.CANCELLED, at(4))
    order.apply_fill(make_fill("LATE", quantity_filled=D("0.5"), filled_at=at(4)))
    assert order.status is S.CANCELLED
    with pytest.raises(InvalidTransitionError):
        order.apply_fill(make_fill("AFTER", quantity_filled=D("0.5"), filled_at=at(5)))


@pytest.mark.parametrize(
    ("acknowledged", "filled", "back_to"),
    [(True, True, S.PARTIALLY_FILLED), (True, False, S.OPEN), (False, False, S.PENDING_SUBMIT)],
)
def test_a_refused_cancel_opens_the_order_again(acknowledged, filled, back_to):
    order = make_order(quantity_ordered=D(2))
    if acknowledged:
        order.mark_submitted("OX-1", at(1))
    if filled:
        order.apply_fill(make_fill("P1", quantity_filled=D("0.5"), filled_at=at(2)))
    order.request_cancel(at(3))
    order.cancel_refused("EOrder:Unknown order", at(4))
    assert order.status is back_to
    assert order.last_updated_at == at(4)
    assert _steps(pending_changes(order)[-1:]) == [
        (S.CANCEL_REQUESTED, back_to, "cancel refused: EOrder:Unknown order", order.filled_quantity)
    ]


@pytest.mark.parametrize("status", [S.FILLED, S.CANCELLED, S.EXPIRED, S.REJECTED])
def test_a_closed_order_cannot_be_asked_to_cancel(status):
    order = make_order()
    if status is S.REJECTED:
        order.reject("no funds", at(1))
    else:
        order.mark_submitted("OX-1", at(1))
        {
            S.FILLED: lambda: order.apply_fill(make_fill("F", quantity_filled=D(1))),
            S.CANCELLED: lambda: order.cancel(at(2)),
            S.EXPIRED: lambda: order.expire(at(2)),
        }[status]()
    noted = pending_changes(order)
    with pytest.raises(InvalidTransitionError, match=f"from {status.value} to CANCEL_REQUESTED"):
        order.request_cancel(at(5))
    assert order.status is status
    assert pending_changes(order) == noted  # a refused operation notes nothing


def test_a_cancel_is_requested_once_and_refused_only_while_requested():
    order = _cancel_requested()
    with pytest.raises(InvalidTransitionError):
        order.request_cancel(at(3))
    with pytest.raises(InvalidTransitionError):
        make_order().cancel_refused("no such order", at(3))
    with pytest.raises(InvalidValueError, match="^reason"):
        order.cancel_refused("  ", at(3))
    assert order.status is S.CANCEL_REQUESTED


def test_an_acknowledgement_after_the_cancel_request_keeps_the_status():
    order = make_order()
    order.request_cancel(at(1))  # cancelled by cl_ord_id before Kraken's answer came
    order.mark_submitted("OX-1", at(2))
    assert (order.status, order.exchange_order_id, order.submitted_at) == (
        S.CANCEL_REQUESTED,
        "OX-1",
        at(2),
    )
    with pytest.raises(InvalidTransitionError, match="from CANCEL_REQUESTED to OPEN"):
        order.mark_submitted("OX-1", at(3))  # a second acknowledgement


# -- the history an order notes ---------------------------------------------------------------


def test_every_change_is_noted_with_its_time_reason_and_filled_quantity():
    order = make_order(quantity_ordered=D(2))
    order.mark_submitted("OABC-1", at(1))
    order.apply_fill(make_fill("F1", quantity_filled=D("0.5"), filled_at=at(2)))
    order.apply_fill(make_fill("F2", quantity_filled=D("0.5"), filled_at=at(3)))  # no change
    order.request_cancel(at(4), reason="signal withdrawn")
    order.apply_fill(make_fill("F3", quantity_filled=D("0.25"), filled_at=at(5)))  # no change
    order.cancel(at(6))
    changes = take_changes(order)
    assert _steps(changes) == [
        (None, S.PENDING_SUBMIT, "created", D(0)),
        (S.PENDING_SUBMIT, S.OPEN, "acknowledged as OABC-1", D(0)),
        (S.OPEN, S.PARTIALLY_FILLED, "fill F1", D("0.5")),
        (S.PARTIALLY_FILLED, S.CANCEL_REQUESTED, "signal withdrawn", D(1)),
        (S.CANCEL_REQUESTED, S.CANCELLED, "cancelled", D("1.25")),
    ]
    assert [c.changed_at for c in changes] == [T0, at(1), at(2), at(4), at(6)]
    assert pending_changes(order) == []  # taken: the store writes them once


def test_a_rejection_keeps_its_reason_and_a_replayed_fill_notes_nothing():
    order = make_order()
    order.reject("EOrder:Insufficient funds", at(1))
    assert _steps(pending_changes(order))[-1] == (
        S.PENDING_SUBMIT,
        S.REJECTED,
        "EOrder:Insufficient funds",
        D(0),
    )
    filled = make_order(quantity_ordered=D(1))
    fill = make_fill("F1", quantity_filled=D(1))
    filled.apply_fill(fill)
    noted = pending_changes(filled)
    assert filled.apply_fill(fill) is False
    assert pending_changes(filled) == noted


# -- client order ids -------------------------------------------------------------------------


def test_client_order_ids_are_text_and_uuids_their_canonical_text():
    ident = uuid.UUID("0E8F2A34-5B6C-4D7E-8F90-A1B2C3D4E5F6")
    assert client_order_id(ident) == "0e8f2a34-5b6c-4d7e-8f90-a1b2c3d4e5f6"
    assert client_order_id(BOT_ID) == BOT_ID
    assert client_order_id("A" * CLIENT_ORDER_ID_LENGTH) == "A" * 36
    assert make_order(client_order_id=BOT_ID).client_order_id == BOT_ID


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("A" * 37, "longer than 36 characters"),
        ("gf 1", "printable ASCII"),
        ("gf-\u00e9", "printable ASCII"),
        ("", "non-empty"),
        (12345, "not a string or a UUID"),
        (None, "not a string or a UUID"),
    ],
)
def test_a_bad_client_order_id_is_refused_naming_the_field(value, message):
    with pytest.raises(InvalidValueError, match=f"^client_order_id: .*{message}"):
        make_order(client_order_id=value)


# -- the fakes keep the same history ----------------------------------------------------------


def test_the_fakes_store_the_history_and_find_orders_by_text_or_uuid():
    uow = InMemoryUnitOfWork()
    order = make_order(client_order_id=BOT_ID, quantity_ordered=D(1))
    ident = uuid.uuid4()
    other = make_order(client_order_id=ident)
    with uow() as work:
        work.orders.add(order)
        work.orders.add(other)
        work.commit()
    fill = make_fill("F1", quantity_filled=D(1), filled_at=at(1))
    assert record_fill(uow, fill, client_order_id=BOT_ID) is FillOutcome.RECORDED
    with uow() as work:
        assert work.orders.get_by_client_id(ident).client_order_id == str(ident)
        stored = work.orders.get_by_client_id(BOT_ID)
        assert _steps(work.orders.history(stored)) == [
            (None, S.PENDING_SUBMIT, "created", D(0)),
            (S.PENDING_SUBMIT, S.FILLED, "fill F1", D(1)),
        ]
        assert work.orders.history_by_client_id(BOT_ID) == work.orders.history(stored.order_pk)
        assert {c.order_pk for c in work.orders.history(stored)} == {stored.order_pk}
        stored_other = work.orders.get_by_client_id(str(ident))
        stored_other.reject("no funds", at(2))
        assert len(work.orders.history(stored_other)) == 2  # what it noted, before a commit
        # left without commit: the rejection and its history are discarded
    with uow() as work:
        assert len(work.orders.history_by_client_id(ident)) == 1


def test_autogenerate_writes_the_client_order_id_column_as_plain_text():
    from gal_friday.persistence.migrating.render import render_item
    from gal_friday.persistence.tables import definitions as t

    rendered = render_item("type", t.orders.c.client_order_id.type, None)
    assert rendered == "sa.String(length=36)"
