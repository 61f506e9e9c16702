"""Four processes record live fills on one SQLite file: every fill stored, none refused.

Write transactions take the write lock when they begin (``BEGIN IMMEDIATE``), so a
writer waits on the busy timeout instead of failing with "database is locked" (a
DEFERRED transaction that read first cannot upgrade once another writer committed).
Sizes: ``GALFRIDAY_SQLITE_FILLS`` fills per process (CI: 250; the documented run: 1000).
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import time
import uuid
from decimal import Decimal

from sqlalchemy import func, select

from gal_friday.persistence.database import create_engine
from gal_friday.persistence.engines import engine_for
from gal_friday.persistence.errors import StorageError
from gal_friday.persistence.tables import definitions as t
from gal_friday.persistence.unit_of_work import UnitOfWork
from gal_friday.services.live_fills import record_fill
from tests.factories import at, make_fill, make_order

PROCESSES = 4
ORDERS = 20
FILLS = int(os.environ.get("GALFRIDAY_SQLITE_FILLS", "250"))


def record_share(
    url: str, worker: int, fills: int, order_ids: list[str], read_only: bool = False
) -> tuple[int, list[str]]:
    """Record ``fills`` fills (round robin over the orders): how many stored, what failed.

    ``read_only=True`` begins DEFERRED transactions, as before the fix (for measuring).
    """
    engine = engine_for(url)
    stored, failures = 0, []
    for n in range(fills):
        fill = make_fill(f"S{worker}-{n}", quantity_filled=Decimal("0.001"), filled_at=at(n))
        order = uuid.UUID(order_ids[(worker + n) % len(order_ids)])
        try:
            record_fill(
                lambda: UnitOfWork(engine, read_only=read_only), fill, client_order_id=order
            )
            stored += 1
        except StorageError as exc:
            failures.append(f"{type(exc).__name__}: {exc}")
    return stored, failures


def run_writers(url: str, fills: int, read_only: bool = False) -> tuple[int, list[str], float]:
    """Four spawned processes writing at once: fills stored, failures, seconds."""
    engine = create_engine(url)
    orders = [make_order(quantity_ordered=Decimal(1000)) for _ in range(ORDERS)]
    with UnitOfWork(engine) as uow:
        for order in orders:
            uow.orders.add(order)
        uow.commit()
    engine.dispose()
    ids = [str(order.client_order_id) for order in orders]
    started = time.monotonic()
    with multiprocessing.get_context("spawn").Pool(PROCESSES) as pool:
        results = pool.starmap(
            record_share, [(url, w, fills, ids, read_only) for w in range(PROCESSES)]
        )
    elapsed = time.monotonic() - started
    stored = sum(count for count, _ in results)
    failures = [failure for _, failed in results for failure in failed]
    return stored, failures, elapsed


def test_four_sqlite_writers_store_every_fill(sqlite_template, tmp_path):
    target = tmp_path / "writers.db"
    shutil.copyfile(str(sqlite_template.database), target)
    url = f"sqlite:///{target}"
    stored, failures, elapsed = run_writers(url, FILLS)
    print(
        f"SQLite {PROCESSES} x {FILLS} live fills: {stored} stored, {len(failures)} failed, "
        f"{elapsed:.1f} s"
    )
    assert failures == []
    assert stored == PROCESSES * FILLS
    engine = create_engine(url)
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(t.fills)) == PROCESSES * FILLS
        filled = conn.execute(select(t.orders.c.filled_quantity)).scalars().all()
    assert sum(Decimal(value) for value in filled) == Decimal("0.001") * PROCESSES * FILLS
    engine.dispose()
