"""A connection terminated in the middle of a unit of work leaves nothing partial; a retry works."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select, text

from gal_friday.persistence import tables as t
from gal_friday.persistence.database import create_engine
from gal_friday.persistence.errors import DatabaseUnavailableError
from gal_friday.persistence.unit_of_work import UnitOfWork
from gal_friday.services.importing import import_history
from tests.factories import make_fill, make_order
from tests.support import databases

HISTORY = "tests/fixtures/importers/e2e-history.csv"


def _terminate(pid: int) -> None:
    with databases.admin_connection() as conn:
        conn.execute("SELECT pg_terminate_backend(%s)", (pid,))


def test_a_terminated_connection_mid_unit_of_work(postgres_url):
    engine = create_engine(postgres_url)
    order = make_order(quantity_ordered=Decimal(2))
    order.apply_fill(make_fill("K1"))
    with UnitOfWork(engine) as uow:
        uow.orders.add(order)
        uow.flush()  # the order and its fill are sent, not committed
        pid = uow.session.scalar(text("SELECT pg_backend_pid()"))
        _terminate(pid)
        with pytest.raises(DatabaseUnavailableError, match="nothing was committed"):
            uow.commit()
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(t.orders)) == 0
        assert conn.scalar(select(func.count()).select_from(t.fills)) == 0
    retry = make_order(quantity_ordered=Decimal(2))
    retry.apply_fill(make_fill("K1"))
    with UnitOfWork(engine) as uow:  # the pool replaces the dead connection (pre-ping)
        uow.orders.add(retry)
        uow.commit()
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(t.fills)) == 1
    engine.dispose()


def test_an_import_whose_connection_dies_stores_nothing_and_a_rerun_completes(postgres_url):
    engine = create_engine(postgres_url)

    class DyingUnitOfWork(UnitOfWork):
        def commit(self) -> None:
            _terminate(self.session.scalar(text("SELECT pg_backend_pid()")))
            super().commit()

    with pytest.raises(DatabaseUnavailableError):
        import_history(engine, HISTORY, "kraken-trades", uow_factory=DyingUnitOfWork)
    with engine.connect() as conn:
        counts = [
            conn.scalar(select(func.count()).select_from(table))
            for table in (t.orders, t.fills, t.trades)
        ]
    assert counts == [0, 0, 0]
    summary = import_history(engine, HISTORY, "kraken-trades")
    assert (summary.fills_added, summary.trades_rebuilt) == (6, 3)
    engine.dispose()
