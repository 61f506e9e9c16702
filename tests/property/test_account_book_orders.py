"""Any part of an account's trades.csv and ledgers.csv, imported in any order, leaves every
order with its fills' aggregates and stores the fills that trades.csv then ledgers.csv store
(docs/ledgers.md, "Either order, one file or both"). SQLite."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import URL

from gal_friday.persistence.bootstrap import unit_of_work_factory
from gal_friday.persistence.database import create_engine
from gal_friday.persistence.unit_of_work import UnitOfWork
from gal_friday.services.importing import import_history
from gal_friday.services.ledger_import import import_ledger
from tests.support.order_aggregates import orders_disagreeing

ACCOUNTS = Path(__file__).resolve().parents[1] / "fixtures" / "importers" / "accounts"
NAMES = ("btc_2021", "gbp_2024", "eur_2026")
FILES = {
    name: {
        kind: (ACCOUNTS / name / f"{kind}.csv").read_text().splitlines(keepends=True)
        for kind in ("trades", "ledgers")
    }
    for name in NAMES
}


def stored_fills(engine: Any) -> dict[str, tuple[Any, ...]]:
    with UnitOfWork(engine) as uow:
        found = {}
        for exchange, pair in uow.fills.pairs():
            for record in uow.fills.stream(exchange, pair):
                fill = uow.fills.get(exchange, record.fill_id)
                assert fill is not None
                found[fill.fill_id] = (
                    fill.trading_pair,
                    fill.side,
                    fill.quantity_filled,
                    fill.fill_price,
                    fill.commissions,
                    fill.kind,
                    fill.reported,
                )
        return found


def run(template: URL, folder: Path, name: str, steps: list[str]) -> dict[str, tuple[Any, ...]]:
    assert template.database is not None
    target = folder / f"{'-'.join(steps)}.db"
    shutil.copyfile(template.database, target)
    engine = create_engine(f"sqlite:///{target}")
    try:
        for step in steps:
            if step == "trades":
                import_history(unit_of_work_factory(engine), folder / "trades.csv", "kraken-trades")
            else:
                import_ledger(unit_of_work_factory(engine), folder / "ledgers.csv")
        assert orders_disagreeing(engine) == []
        return stored_fills(engine)
    finally:
        engine.dispose()


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    name=st.sampled_from(NAMES),
    data=st.data(),
    steps=st.lists(st.sampled_from(["trades", "ledger"]), min_size=2, max_size=4).filter(
        lambda steps: {"trades", "ledger"} <= set(steps)
    ),
)
def test_any_part_in_any_order_agrees_with_trades_then_ledger(
    sqlite_template: URL, name: str, data: st.DataObject, steps: list[str]
) -> None:
    trades, ledger = FILES[name]["trades"], FILES[name]["ledgers"]
    refids = sorted({line.split(",")[1] for line in ledger[1:]})
    rows = data.draw(st.sets(st.integers(1, len(trades) - 1), min_size=1), label="trade rows")
    kept = data.draw(st.sets(st.sampled_from(refids), min_size=1), label="ledger refids")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "trades.csv").write_text(trades[0] + "".join(trades[n] for n in sorted(rows)))
        (folder / "ledgers.csv").write_text(
            ledger[0] + "".join(line for line in ledger[1:] if line.split(",")[1] in kept)
        )
        reference = run(sqlite_template, folder, name, ["trades", "ledger"])
        assert run(sqlite_template, folder, name, steps) == reference
