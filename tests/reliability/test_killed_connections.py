"""A connection terminated in the middle of a unit of work leaves nothing partial; a retry works."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from gal_friday.persistence.bootstrap import unit_of_work_factory
from gal_friday.persistence.database import create_engine
from gal_friday.persistence.errors import DatabaseUnavailableError
from gal_friday.persistence.tables import definitions as t
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
        import_history(lambda: DyingUnitOfWork(engine), HISTORY, "kraken-trades")
    with engine.connect() as conn:
        counts = [
            conn.scalar(select(func.count()).select_from(table))
            for table in (t.orders, t.fills, t.trades)
        ]
    assert counts == [0, 0, 0]
    summary = import_history(unit_of_work_factory(engine), HISTORY, "kraken-trades")
    assert (summary.fills_added, summary.trades_rebuilt) == (6, 3)
    engine.dispose()


DYING_CLI = r"""
import sys
import psycopg
from tests.support import databases
from gal_friday.cli.main import main

real_write = psycopg.Copy.write_row
killed = []

def dying_write(self, row):
    if not killed:
        killed.append(self.connection.info.backend_pid)
        with databases.admin_connection() as conn:
            conn.execute("SELECT pg_terminate_backend(%s)", (killed[0],))
    return real_write(self, row)

psycopg.Copy.write_row = dying_write
main()
"""


def test_a_server_lost_during_the_bulk_write_is_one_error_line(postgres_url, tmp_path):
    """The connection dies while COPY streams rows (5,000 of them, so psycopg is still
    sending when it notices), in a real CLI process: one line on stderr (no psycopg
    teardown warning after it), exit 1, nothing stored, and a rerun completes."""
    import subprocess
    import sys

    from tests.support.histories import kraken_history

    history = tmp_path / "history.csv"
    kraken_history(history, 500_000)
    url = postgres_url.render_as_string(hide_password=False)
    args = ["--database-url", url, "import", str(history), "--format", "kraken-trades"]
    dying = subprocess.run(
        [sys.executable, "-c", DYING_CLI, *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert dying.returncode == 1, dying.stderr
    assert dying.stderr.splitlines() == [
        "error: cannot use the database: the database connection was lost during the bulk "
        "write; nothing was committed"
    ]
    engine = create_engine(postgres_url)
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(t.fills)) == 0
    engine.dispose()
    gal_friday = str(Path(sys.executable).parent / "gal-friday")
    rerun = subprocess.run([gal_friday, *args], capture_output=True, text=True, check=False)
    assert rerun.returncode == 0, rerun.stderr
