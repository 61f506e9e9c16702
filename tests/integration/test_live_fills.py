"""Recording fills from several writers at once: exactly once, never overfilled, no lost update."""

from __future__ import annotations

import threading
from decimal import Decimal

from sqlalchemy import func, select

from gal_friday.domain import OverfillError
from gal_friday.persistence.tables import definitions as t
from gal_friday.persistence.unit_of_work import UnitOfWork
from gal_friday.services.live_fills import FillOutcome, record_fill
from tests.factories import at, make_fill, make_order

WRITERS = 4
ORDERS = 5


def test_concurrent_writers_store_each_fill_once_and_never_overfill(engine):
    orders = [make_order(quantity_ordered=Decimal(100)) for _ in range(ORDERS)]
    with UnitOfWork(engine) as uow:
        for order in orders:
            uow.orders.add(order)
        uow.commit()
    factory = lambda: UnitOfWork(engine)  # noqa: E731
    # every writer sends the same 20 fills per order (duplicates across writers), then each
    # sends its own 60-unit fill to order 0: only one of those fits (40 + 60 = 100).
    outcomes: list[FillOutcome | str] = []
    lock = threading.Lock()

    def writer(number: int) -> None:
        for n in range(20):
            for k, order in enumerate(orders):
                fill = make_fill(f"D{k}-{n}", quantity_filled=Decimal(2), filled_at=at(n))
                result = record_fill(factory, fill, client_order_id=order.client_order_id)
                with lock:
                    outcomes.append(result)
        try:
            big = make_fill(f"BIG-{number}", quantity_filled=Decimal(60), filled_at=at(100))
            outcome: FillOutcome | str = record_fill(
                factory, big, client_order_id=orders[0].client_order_id
            )
        except OverfillError:
            outcome = "overfill refused"
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert outcomes.count(FillOutcome.RECORDED) == 20 * ORDERS + 1
    assert outcomes.count("overfill refused") == WRITERS - 1
    with UnitOfWork(engine) as uow:
        assert uow.session.scalar(select(func.count()).select_from(t.fills)) == 20 * ORDERS + 1
        for k, order in enumerate(orders):
            stored = uow.orders.get_by_client_id(order.client_order_id)
            expected = Decimal(40 + (60 if k == 0 else 0))
            assert (
                stored.filled_quantity == expected == sum(f.quantity_filled for f in stored.fills)
            )
            assert stored.filled_quantity <= stored.quantity_ordered
            assert stored.version == 1 + len(stored.fills)
