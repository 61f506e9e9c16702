"""The demo uses its own database and can be run again (issue 13.5)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select

from gal_friday.persistence.bootstrap import unit_of_work_factory
from gal_friday.persistence.database import create_engine
from gal_friday.persistence.tables import definitions as t
from gal_friday.services.configurations import activate_configuration
from tests.e2e.test_cli import HISTORY, run


def _snapshot(url):
    """Every row of every table, so that any change to the user's database shows."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {
                table.name: sorted(map(repr, conn.execute(select(table)).all()))
                for table in t.metadata.sorted_tables
            }
    finally:
        engine.dispose()


def test_demo_twice_succeeds_and_leaves_the_users_database_alone(database_url):
    assert run(database_url, "import", str(HISTORY), "--format", "kraken-trades").returncode == 0
    engine = create_engine(database_url)
    # the demo used to deactivate it
    activate_configuration(
        unit_of_work_factory(engine), {"strategy": "mine", "budget": Decimal("100.00")}
    )
    engine.dispose()
    before = _snapshot(database_url)
    for attempt in (1, 2):
        result = run(database_url, "demo")
        assert result.returncode == 0, (attempt, result.stderr)
        assert "demo run 1" in result.stdout  # a fresh database each time
        assert "demo database: a temporary database, now removed" in result.stdout
    assert _snapshot(database_url) == before


def test_demo_twice_in_a_database_given_to_it(tmp_path):
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    first = run("sqlite://", "demo", "--database-url", url)
    second = run("sqlite://", "demo", "--database-url", url)
    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr  # was a UNIQUE constraint failure
    assert "demo run 2" in second.stdout
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            assert conn.scalar(select(func.count()).select_from(t.configurations)) == 4
            active = (
                select(func.count())
                .select_from(t.configurations)
                .where(t.configurations.c.is_active)
            )
            assert conn.scalar(active) == 1
    finally:
        engine.dispose()
