"""Forked workers never reuse their parent's pooled connections (PostgreSQL and SQLite).

The parent uses the shared engine (``engine_for``), so its pool holds an open
connection, then forks six workers that record fills on the same order through
``record_fill``. Before engines dropped their pools in the child, a worker died with
"can't change 'autocommit' now" or ``ResourceClosedError``: two processes were
talking over one socket.
"""

from __future__ import annotations

import multiprocessing
import traceback
import uuid
from decimal import Decimal

from sqlalchemy import func, select

from gal_friday.domain import Fill
from gal_friday.persistence.engines import engine_for
from gal_friday.persistence.tables import definitions as t
from gal_friday.persistence.unit_of_work import UnitOfWork
from gal_friday.services.live_fills import FillOutcome, record_fill
from tests.factories import at, make_fill, make_order

WORKERS = 6
FILLS = 15


def _fill(name: str, minute: int) -> Fill:
    return make_fill(name, quantity_filled=Decimal("0.01"), filled_at=at(minute))


def _worker(url: str, order_id: uuid.UUID, worker: int) -> None:
    try:
        for n in range(FILLS):
            fill = _fill(f"W{worker}-{n}", worker * FILLS + n + 1)
            outcome = record_fill(lambda: UnitOfWork(url), fill, client_order_id=order_id)
            assert outcome is FillOutcome.RECORDED, outcome
    except BaseException:
        traceback.print_exc()
        raise


def test_forked_workers_record_fills_with_their_own_connections(database_url):
    url = database_url.render_as_string(hide_password=False)
    order = make_order(quantity_ordered=Decimal(10))
    with UnitOfWork(url) as uow:
        uow.orders.add(order)
        uow.commit()
    factory = lambda: UnitOfWork(url)  # noqa: E731
    assert record_fill(factory, _fill("PARENT-1", 0), client_order_id=order.client_order_id)
    assert engine_for(url).pool.checkedin() == 1  # the parent's pool holds a live connection

    context = multiprocessing.get_context("fork")
    workers = [
        context.Process(target=_worker, args=(url, order.client_order_id, w))
        for w in range(WORKERS)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert [worker.exitcode for worker in workers] == [0] * WORKERS

    # The parent's own connection survived its children.
    assert record_fill(factory, _fill("PARENT-2", 999), client_order_id=order.client_order_id)
    with engine_for(url).connect() as conn:
        stored = conn.scalar(select(func.count()).select_from(t.fills))
        filled = conn.scalar(select(t.orders.c.filled_quantity))
    assert stored == WORKERS * FILLS + 2
    assert Decimal(filled) == Decimal("0.01") * stored
    engine_for(url).dispose()
