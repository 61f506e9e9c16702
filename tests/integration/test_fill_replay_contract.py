"""A fill arriving again: the live path's statements, the fakes and the domain rule agree.

``judge_repeated_fill`` (gal_friday.domain.fill_replay) is the rule; the live path
(``OrderRepository.store_live_fill``, on both backends) and ``FakeOrders.store_live_fill``
must give exactly its verdict (False, or the same error with the same message).
"""

from __future__ import annotations

from decimal import Decimal

import attrs
import pytest

from gal_friday.domain import DomainError
from gal_friday.domain.fill_replay import OrderName, judge_repeated_fill
from gal_friday.persistence.in_memory import InMemoryUnitOfWork
from gal_friday.persistence.unit_of_work import UnitOfWork
from tests.factories import at, make_fill, make_order

STORED = make_fill("R1", quantity_filled=Decimal("0.4"), exchange_order_id="EX-A")

#: (what arrives, sent to the first order or the second)
ARRIVALS = {
    "identical replay": (STORED, "first"),
    "replay without the exchange order id": (attrs.evolve(STORED, exchange_order_id=None), "first"),
    "other quantity": (attrs.evolve(STORED, quantity_filled=Decimal("0.5")), "first"),
    "other price": (attrs.evolve(STORED, fill_price=Decimal("101")), "first"),
    "other time": (attrs.evolve(STORED, filled_at=at(2)), "first"),
    "other commission": (attrs.evolve(STORED, commission=Decimal("0.2")), "first"),
    "would overfill": (attrs.evolve(STORED, quantity_filled=Decimal("0.7")), "first"),
    "sent to another order": (attrs.evolve(STORED, exchange_order_id=None), "second"),
    "another order, other data": (
        attrs.evolve(STORED, exchange_order_id=None, quantity_filled=Decimal("0.1")),
        "second",
    ),
}


def _orders():
    return make_order(exchange_order_id="EX-A"), make_order(exchange_order_id="EX-B")


def _verdict(action):
    try:
        return action()
    except DomainError as exc:
        return type(exc), str(exc)


def _expected(first, second, arriving, target):
    stored_on = OrderName(first.client_order_id, first.exchange_order_id)
    sent_to = OrderName(target.client_order_id, target.exchange_order_id)
    return _verdict(
        lambda: judge_repeated_fill(arriving, STORED, sent_to=sent_to, stored_on=stored_on)
    )


def _copy(fill):
    return attrs.evolve(fill, fill_pk=None, order_pk=None)


@pytest.mark.parametrize("name", sorted(ARRIVALS))
def test_the_live_path_gives_the_domain_verdict(engine, name):
    arriving, which = ARRIVALS[name]
    first, second = _orders()
    first.quantity_ordered = Decimal("0.8")
    with UnitOfWork(engine) as uow:
        uow.orders.add(first)
        uow.orders.add(second)
        uow.commit()
    target = first if which == "first" else second
    with UnitOfWork(engine) as uow:
        assert uow.orders.store_live_fill(_copy(STORED), first.client_order_id) is True
        uow.commit()
    expected = _expected(first, second, arriving, target)
    with UnitOfWork(engine) as uow:
        got = _verdict(lambda: uow.orders.store_live_fill(_copy(arriving), target.client_order_id))
    assert got == expected


@pytest.mark.parametrize("name", sorted(ARRIVALS))
def test_the_fakes_give_the_domain_verdict(name):
    arriving, which = ARRIVALS[name]
    first, second = _orders()
    first.quantity_ordered = Decimal("0.8")
    factory = InMemoryUnitOfWork()
    with factory() as uow:
        uow.orders.add(first)
        uow.orders.add(second)
        uow.commit()
    target = first if which == "first" else second
    with factory() as uow:
        assert uow.orders.store_live_fill(_copy(STORED), first.client_order_id) is True
        uow.commit()
    expected = _expected(first, second, arriving, target)
    with factory() as uow:
        got = _verdict(lambda: uow.orders.store_live_fill(_copy(arriving), target.client_order_id))
    assert got == expected
