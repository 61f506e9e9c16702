"""A PostgreSQL restart in the middle of a run of the services is survived, with the same result.

The test restarts the local cluster (``pg_ctlcluster ... restart``) while a writer records fills,
then checks the final state equals the one a run without the restart gives.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
import time
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from gal_friday.persistence.database import create_engine
from gal_friday.persistence.tables import definitions as t
from gal_friday.persistence.unit_of_work import UnitOfWork
from gal_friday.services.live_fills import FillOutcome, record_fill
from tests.factories import at, make_fill, make_order
from tests.support import databases

FILLS = 300
ORDERS = 5


def _restart_cluster() -> None:
    version = sorted(p.name for p in Path("/etc/postgresql").iterdir())[0]
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"],
        check=True,
        capture_output=True,
        timeout=120,
    )


def _wait_until_up() -> None:
    for _ in range(60):
        if subprocess.run(["pg_isready", "-h", "127.0.0.1", "-q"], check=False).returncode == 0:
            return
        time.sleep(0.5)
    raise AssertionError("PostgreSQL did not come back")


@pytest.mark.skipif(
    databases.admin_url().host not in ("127.0.0.1", "localhost")
    or shutil.which("pg_ctlcluster") is None,
    reason="restarts the local cluster; needs pg_ctlcluster and the local server",
)
def test_the_services_survive_a_server_restart(postgres_url):
    engine = create_engine(postgres_url)
    orders = [make_order(quantity_ordered=Decimal(1000)) for _ in range(ORDERS)]
    with UnitOfWork(engine) as uow:
        for order in orders:
            uow.orders.add(order)
        uow.commit()
    outcomes: list[FillOutcome] = []
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            for n in range(FILLS):
                order = orders[n % ORDERS]
                fill = make_fill(f"R{n}", quantity_filled=Decimal(1), filled_at=at(n))
                outcomes.append(
                    record_fill(
                        lambda: UnitOfWork(engine), fill, client_order_id=order.client_order_id
                    )
                )
                time.sleep(0.01)
        except BaseException as exc:  # reported below
            errors.append(exc)

    thread = threading.Thread(target=writer)
    thread.start()
    time.sleep(0.5)
    try:
        _restart_cluster()
    finally:
        _wait_until_up()
    thread.join(timeout=300)
    assert errors == []
    assert (
        outcomes.count(FillOutcome.RECORDED) + outcomes.count(FillOutcome.ALREADY_RECORDED) == FILLS
    )
    with UnitOfWork(engine) as uow:
        assert uow.session.scalar(select(func.count()).select_from(t.fills)) == FILLS
        for order in orders:
            stored = uow.orders.get_by_client_id(order.client_order_id)
            assert stored.filled_quantity == Decimal(FILLS // ORDERS)
            assert stored.version == 1 + FILLS // ORDERS
    engine.dispose()
