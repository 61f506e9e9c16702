"""Order.apply_new_fill: every rule on the aggregates, nothing changed when it refuses."""

from __future__ import annotations

from decimal import Decimal

import pytest

from gal_friday.domain import FillConflictError, FillMismatchError, OrderStatus, OverfillError
from gal_friday.persistence.in_memory import InMemoryUnitOfWork
from gal_friday.services.live_fills import record_fill
from tests.factories import at, make_fill, make_order


def _state(order):
    return (
        order.filled_quantity,
        order.fill_notional,
        order.average_fill_price,
        order.commissions,
        order.status,
        order.last_updated_at,
    )


def test_aggregates_move_by_hand_computed_amounts():
    order = make_order(quantity_ordered=Decimal(1))
    order.apply_new_fill(make_fill("A", quantity_filled=Decimal("0.3"), fill_price=Decimal(101)))
    order.apply_new_fill(
        make_fill(
            "B",
            quantity_filled=Decimal("0.7"),
            fill_price=Decimal("99.5"),
            commission=Decimal("0.0007"),
            commission_asset="BTC",
            filled_at=at(2),
        )
    )
    assert order.filled_quantity == Decimal(1)
    assert order.fill_notional == Decimal("99.95")  # 30.3 + 69.65
    assert order.average_fill_price == Decimal("99.95")
    assert order.commissions == {"USD": Decimal("0.1"), "BTC": Decimal("0.0007")}
    assert order.status is OrderStatus.FILLED and order.closed_at == at(2)


def test_a_refused_fill_changes_nothing():
    order = make_order(quantity_ordered=Decimal(1))
    order.apply_new_fill(make_fill("A"))
    before = _state(order)
    with pytest.raises(OverfillError):
        order.apply_new_fill(make_fill("B", quantity_filled=Decimal("0.7")))
    with pytest.raises(FillMismatchError):
        order.apply_new_fill(make_fill("C", side="SELL"))
    assert _state(order) == before


def test_the_in_memory_store_refuses_a_fill_stored_on_another_order():
    factory = InMemoryUnitOfWork()
    first, second = make_order(), make_order()
    with factory() as uow:
        uow.orders.add(first)
        uow.orders.add(second)
        uow.commit()
    record_fill(factory, make_fill("X"), client_order_id=first.client_order_id)
    with pytest.raises(FillConflictError, match=str(second.client_order_id)):
        record_fill(factory, make_fill("X"), client_order_id=second.client_order_id)
