"""Every import path leaves each order with the aggregates of its own fills.

Over the import equivalence corpus (tests/support/import_corpus.py: every variant's steps)
and over Kraken trades.csv and ledgers.csv exports of one account, any part of each,
imported in either order (the ledger's fee corrections go through the fills' orders:
docs/ledgers.md), on SQLite.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import URL

from gal_friday.persistence.bootstrap import unit_of_work_factory
from gal_friday.persistence.database import create_engine
from gal_friday.services.importing import import_history
from gal_friday.services.ledger_import import import_ledger
from tests.support.import_corpus import corpus
from tests.support.import_equivalence import run_variant
from tests.support.order_aggregates import orders_disagreeing

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "importers"
TRADES = (FIXTURES / "kraken-ledgers-account-trades.csv").read_text().splitlines(keepends=True)
LEDGER = (FIXTURES / "kraken-ledgers-2021.csv").read_text().splitlines(keepends=True)
REFIDS = sorted({line.split(",")[1].strip('"') for line in LEDGER[1:]})


@pytest.mark.slow
def test_every_corpus_variant_leaves_orders_agreeing_with_their_fills(
    sqlite_template: URL, tmp_path: Path
) -> None:
    assert sqlite_template.database is not None
    disagreeing = []
    for n, variant in enumerate(corpus()):
        target = tmp_path / f"v{n:03d}.db"
        shutil.copyfile(sqlite_template.database, target)
        run_variant(variant, f"sqlite:///{target}", tmp_path / "files")
        engine = create_engine(f"sqlite:///{target}")
        try:
            disagreeing += [f"{variant.name}: {found}" for found in orders_disagreeing(engine)]
        finally:
            engine.dispose()
        target.unlink()
    assert not disagreeing, disagreeing[:3]


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    trade_rows=st.sets(st.integers(1, len(TRADES) - 1), min_size=1),
    refids=st.sets(st.sampled_from(REFIDS), min_size=1),
    steps=st.lists(st.sampled_from(["trades", "ledger"]), min_size=2, max_size=4).filter(
        lambda steps: {"trades", "ledger"} <= set(steps)
    ),
)
def test_trades_and_ledgers_in_any_order_leave_orders_agreeing_with_their_fills(
    sqlite_template: URL, trade_rows: set[int], refids: set[str], steps: list[str]
) -> None:
    assert sqlite_template.database is not None
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        trades = folder / "trades.csv"
        trades.write_text(TRADES[0] + "".join(TRADES[n] for n in sorted(trade_rows)))
        ledger = folder / "ledgers.csv"
        kept = [line for line in LEDGER[1:] if line.split(",")[1].strip('"') in refids]
        ledger.write_text(LEDGER[0] + "".join(kept))
        target = folder / "g.db"
        shutil.copyfile(sqlite_template.database, target)
        engine = create_engine(f"sqlite:///{target}")
        try:
            for step in steps:
                if step == "trades":
                    import_history(unit_of_work_factory(engine), trades, "kraken-trades")
                else:
                    import_ledger(unit_of_work_factory(engine), ledger)
            assert orders_disagreeing(engine) == []
        finally:
            engine.dispose()
