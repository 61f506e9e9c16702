"""Recording live fills against the in-memory unit of work."""

from __future__ import annotations

from decimal import Decimal

import pytest

from gal_friday.domain import DuplicateFillError, NotFoundError, OverfillError
from gal_friday.persistence.in_memory import InMemoryUnitOfWork
from gal_friday.services.live_fills import FillOutcome, record_fill
from tests.factories import make_fill, make_order


def setup_order(factory: InMemoryUnitOfWork, quantity: str = "1"):
    order = make_order(quantity_ordered=Decimal(quantity), exchange_order_id="EX-1")
    with factory() as uow:
        uow.orders.add(order)
        uow.commit()
    return order


def test_a_fill_is_recorded_once_and_replays_are_noops():
    factory = InMemoryUnitOfWork()
    order = setup_order(factory)
    fill = make_fill("L1", exchange_order_id="EX-1")
    assert record_fill(factory, fill, client_order_id=order.client_order_id) is FillOutcome.RECORDED
    assert record_fill(factory, fill) is FillOutcome.ALREADY_RECORDED  # found by exchange id
    with factory() as uow:
        stored = uow.orders.get_by_client_id(order.client_order_id)
        assert stored.filled_quantity == Decimal("0.4")
        assert len(stored.fills) == 1


def test_conflicting_data_unknown_orders_and_overfills_are_refused():
    factory = InMemoryUnitOfWork()
    order = setup_order(factory)
    record_fill(factory, make_fill("L1"), client_order_id=order.client_order_id)
    with pytest.raises(DuplicateFillError):
        record_fill(
            factory, make_fill("L1", fill_price=Decimal(1)), client_order_id=order.client_order_id
        )
    with pytest.raises(OverfillError):
        record_fill(
            factory,
            make_fill("L2", quantity_filled=Decimal("0.7")),
            client_order_id=order.client_order_id,
        )
    with pytest.raises(NotFoundError):
        record_fill(factory, make_fill("L3", exchange_order_id="NOPE"))
    with factory() as uow:
        assert uow.orders.get_by_client_id(order.client_order_id).filled_quantity == Decimal("0.4")
