"""8 worker processes record fills for the same 50 orders at once, on PostgreSQL.

Sizes: ``GALFRIDAY_STRESS_FILLS`` fills per worker (CI: 150; the documented full run: 1000).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select

from gal_friday.persistence.database import create_engine
from gal_friday.persistence.tables import definitions as t
from gal_friday.persistence.unit_of_work import UnitOfWork
from tests.factories import make_order

ROOT = Path(__file__).resolve().parents[2]
WORKERS = 8
ORDERS = 50
FILLS = int(os.environ.get("GALFRIDAY_STRESS_FILLS", "150"))


def test_eight_processes_store_every_fill_once_and_refuse_one_of_each_overfill_pair(postgres_url):
    engine = create_engine(postgres_url)
    # Orders 0-3 take the overfill pairs: 100 units, room for one 60-unit fill after the rest.
    orders = [make_order(quantity_ordered=Decimal(100)) for _ in range(ORDERS)]
    with UnitOfWork(engine) as uow:
        for order in orders:
            uow.orders.add(order)
        uow.commit()
    url = postgres_url.render_as_string(hide_password=False)
    ids = ",".join(str(o.client_order_id) for o in orders)
    start = time.time() + 2
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.reliability.concurrent_writers",
                url,
                str(w),
                str(WORKERS),
                str(FILLS),
                ids,
                str(start),
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for w in range(WORKERS)
    ]
    results = []
    for worker in workers:
        out, err = worker.communicate(timeout=600)
        assert worker.returncode == 0, err[-2000:]
        results.append(json.loads(out.strip().splitlines()[-1]))
    recorded = sum(r["RECORDED"] for r in results)
    replays = sum(r["ALREADY_RECORDED"] for r in results)
    refused = sum(r["overfill_refused"] for r in results)
    duplicates_sent = WORKERS * len(range(0, FILLS, 10))
    assert refused == WORKERS // 2  # exactly one of each pair
    assert recorded == WORKERS * FILLS + WORKERS // 2
    assert replays == duplicates_sent
    with engine.connect() as conn:
        stored = conn.scalar(select(func.count()).select_from(t.fills))
        distinct = conn.scalar(select(func.count(func.distinct(t.fills.c.fill_id))))
    assert stored == distinct == WORKERS * FILLS + WORKERS // 2  # lost: 0, duplicated: 0
    with UnitOfWork(engine) as uow:
        for order in orders:
            loaded = uow.orders.get_by_client_id(order.client_order_id)
            assert loaded.filled_quantity == sum(f.quantity_filled for f in loaded.fills)
            assert loaded.filled_quantity <= loaded.quantity_ordered
            assert loaded.version == 1 + len(loaded.fills)  # every fill moved the version
    engine.dispose()
    print(
        f"\nwriters {WORKERS}, fills {recorded}, duplicates replayed {replays}, "
        f"overfills refused {refused}, lost 0, duplicated 0"
    )
