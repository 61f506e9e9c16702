"""Real services run on the in-memory fakes give the figures they give on a database.

The same Kraken files go through the import, the ledger import (reconciliation), the
report and the audit once with :class:`InMemoryUnitOfWork` and once on SQLite and
PostgreSQL (fixture ``engine``); every figure must agree.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
from sqlalchemy import Engine

from gal_friday.cli.rendering.report_formats import report_dict
from gal_friday.domain import Trade
from gal_friday.persistence.in_memory import InMemoryUnitOfWork
from gal_friday.persistence.unit_of_work import UnitOfWork
from gal_friday.services.audit import audit
from gal_friday.services.importing import import_history
from gal_friday.services.ledger_import import import_ledger
from gal_friday.services.ports import UnitOfWorkProtocol
from gal_friday.services.reporting import build_report

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "importers"
TRADES = FIXTURES / "kraken-ledgers-account-trades.csv"
LEDGER = FIXTURES / "kraken-ledgers-2021.csv"
HISTORY = FIXTURES / "kraken-24.csv"

Factory = Callable[[Engine | str | None], UnitOfWorkProtocol]


def _without_keys(trade: Trade) -> dict[str, Any]:
    """A trade's fields but its surrogate keys (each store numbers rows its own way)."""
    fields = attrs.asdict(trade, recurse=False)
    return {name: value for name, value in fields.items() if not name.endswith("_pk")}


def _figures(factory: Factory, target: Engine | None) -> dict[str, Any]:
    """Import, re-import, reconcile with the ledger; the summaries, report and audit."""
    figures: dict[str, Any] = {}

    def uow_factory() -> UnitOfWorkProtocol:
        return factory(target)

    for step, path in (("history", HISTORY), ("trades", TRADES), ("again", TRADES)):
        summary = import_history(uow_factory, path, "kraken-trades")
        figures[step] = (
            summary.fills_added,
            summary.fills_already_stored,
            summary.orders_added,
            summary.trades_rebuilt,
            summary.pairs,
        )
    figures["report before ledger"] = report_dict(build_report(uow_factory))
    ledger = import_ledger(uow_factory, LEDGER)
    figures["ledger"] = (ledger.entries_added, ledger.reconciled)
    figures["report"] = report_dict(build_report(uow_factory))
    result = audit(uow_factory)
    figures["audit"] = (
        result.fills_checked,
        result.fill_mismatches,
        result.one_leg_refids,
        result.pending_entries,
        result.balanced,
    )
    with uow_factory() as uow:
        figures["trades"] = [_without_keys(trade) for trade in uow.trades.all()]
    return figures


def test_import_reconcile_report_and_audit_agree_on_the_fakes_and_the_database(
    engine: Engine,
) -> None:
    fake = InMemoryUnitOfWork()
    on_fakes = _figures(lambda _target: fake(), None)
    on_database = _figures(UnitOfWork, engine)
    assert on_fakes["trades"], "the scenario builds trades"
    assert on_fakes["history"][0] > 0 and on_fakes["again"][0] == 0
    assert on_fakes["ledger"][0] > 0
    for key, value in on_database.items():
        assert on_fakes[key] == value, key
