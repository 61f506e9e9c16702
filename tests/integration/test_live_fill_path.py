"""OrderRepository.store_live_fill (Core statements) stores what the domain computed, nothing more."""

from __future__ import annotations

from decimal import Decimal

import pytest

from gal_friday.domain import NotFoundError, OrderStatus, OverfillError
from gal_friday.persistence.unit_of_work import UnitOfWork
from tests.factories import at, make_fill, make_order


def _stored(engine, order):
    with UnitOfWork(engine) as uow:
        return uow.orders.get_by_client_id(order.client_order_id)


def test_each_fill_moves_the_version_and_the_stored_order_is_the_domains(engine):
    order = make_order(quantity_ordered=Decimal(1), exchange_order_id="EX-9")
    with UnitOfWork(engine) as uow:
        uow.orders.add(order)
        uow.commit()
    first = make_fill("L1", quantity_filled=Decimal("0.4"), fill_price=Decimal(99), filled_at=at(1))
    second = make_fill(
        "L2", quantity_filled=Decimal("0.6"), fill_price=Decimal(100), filled_at=at(2)
    )
    with UnitOfWork(engine) as uow:
        assert uow.orders.store_live_fill(first, order.client_order_id) is True
        uow.commit()
    with UnitOfWork(engine) as uow:  # found by the exchange order id this time
        second.exchange_order_id = "EX-9"
        assert uow.orders.store_live_fill(second) is True
        uow.commit()
    expected = make_order(
        quantity_ordered=Decimal(1), exchange_order_id="EX-9", client_order_id=order.client_order_id
    )
    expected.apply_fill(
        make_fill("L1", quantity_filled=Decimal("0.4"), fill_price=Decimal(99), filled_at=at(1))
    )
    expected.apply_fill(
        make_fill("L2", quantity_filled=Decimal("0.6"), fill_price=Decimal(100), filled_at=at(2))
    )
    stored = _stored(engine, order)
    assert stored.version == 3
    assert stored.status is OrderStatus.FILLED is expected.status
    assert (stored.filled_quantity, stored.average_fill_price, stored.closed_at) == (
        expected.filled_quantity,
        Decimal("99.6"),
        at(2),
    )
    assert stored.last_updated_at == expected.last_updated_at
    assert [(f.fill_id, f.order_pk, f.exchange_order_id) for f in stored.fills] == [
        ("L1", stored.order_pk, "EX-9"),
        ("L2", stored.order_pk, "EX-9"),
    ]


def test_a_replay_or_a_refused_fill_writes_nothing(engine):
    order = make_order(quantity_ordered=Decimal(1))
    with UnitOfWork(engine) as uow:
        uow.orders.add(order)
        uow.commit()
    with UnitOfWork(engine) as uow:
        uow.orders.store_live_fill(make_fill("L1"), order.client_order_id)
        uow.commit()
    with UnitOfWork(engine) as uow:
        assert uow.orders.store_live_fill(make_fill("L1"), order.client_order_id) is False
        with pytest.raises(OverfillError):
            uow.orders.store_live_fill(
                make_fill("L2", quantity_filled=Decimal(1)), order.client_order_id
            )
        with pytest.raises(NotFoundError, match="no stored order NOPE"):
            uow.orders.store_live_fill(make_fill("L3", exchange_order_id="NOPE"))
        uow.commit()
    stored = _stored(engine, order)
    assert stored.version == 2
    assert [f.fill_id for f in stored.fills] == ["L1"]
    assert stored.filled_quantity == Decimal("0.4")
