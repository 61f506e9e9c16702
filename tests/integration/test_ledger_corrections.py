"""A ledger's fee corrections go through the fills' orders: every order keeps the aggregates
of its own fills, whichever of trades.csv and ledgers.csv is imported first (docs/ledgers.md).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from gal_friday.persistence.bootstrap import unit_of_work_factory
from gal_friday.persistence.unit_of_work import UnitOfWork
from gal_friday.services.importing import import_history
from gal_friday.services.ledger_import import import_ledger
from tests.support.order_aggregates import orders_disagreeing

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "importers"
TRADES = FIXTURES / "kraken-ledgers-account-trades.csv"
LEDGER_2021 = FIXTURES / "kraken-ledgers-2021.csv"
LEDGER_2024 = FIXTURES / "kraken-ledgers-2024.csv"


@pytest.mark.parametrize("ledger", [LEDGER_2021, LEDGER_2024], ids=["2021", "2024"])
def test_trades_then_ledger_leaves_every_order_agreeing_with_its_fills(engine, ledger):
    # before the fix: 4 of 10 orders kept the trades.csv fees the ledger had corrected
    import_history(unit_of_work_factory(engine), TRADES, "kraken-trades")
    import_ledger(unit_of_work_factory(engine), ledger)
    assert orders_disagreeing(engine) == []
    with UnitOfWork(engine) as uow:
        order = uow.orders.get_by_exchange_id("kraken", "OAAAA3-BBBBB-CCCC3")
    assert order is not None
    assert order.commissions == {"DOGE": Decimal("15.559")}  # was {"BTC": 0.000030341}


def test_ledger_then_trades_leaves_every_order_agreeing_with_its_fills(engine):
    import_ledger(unit_of_work_factory(engine), LEDGER_2021)
    import_history(unit_of_work_factory(engine), TRADES, "kraken-trades")
    assert orders_disagreeing(engine) == []


def test_trades_after_part_of_the_ledger_are_corrected_through_their_orders(engine, tmp_path):
    half = tmp_path / "ledger-without-doge-trades.csv"
    lines = LEDGER_2021.read_text().splitlines(keepends=True)
    half.write_text("".join(line for line in lines if "XXDG" not in line or "TAAAA3" in line))
    import_ledger(unit_of_work_factory(engine), half)
    import_history(unit_of_work_factory(engine), TRADES, "kraken-trades")
    import_ledger(
        unit_of_work_factory(engine), LEDGER_2021
    )  # the DOGE trades' ledger rows come later
    assert orders_disagreeing(engine) == []


def test_the_library_import_reconciles_as_the_command_line_did(engine, tmp_path):
    """import_history reconciles with a stored ledger itself (no special unit of work)."""
    half = tmp_path / "ledger-without-doge-trades.csv"
    lines = LEDGER_2021.read_text().splitlines(keepends=True)
    half.write_text("".join(line for line in lines if "XXDG" not in line or "TAAAA3" in line))
    import_ledger(unit_of_work_factory(engine), half)
    summary = import_history(unit_of_work_factory(engine), TRADES, "kraken-trades")
    assert (summary.fills_added, summary.fills_already_stored) == (3, 4)
    with UnitOfWork(engine) as uow:
        sell = uow.fills.get("kraken", "TAAAA3-BBBBB-CCCC3")
    assert sell is not None
    assert (sell.commission, sell.commission_asset) == (Decimal("15.559"), "DOGE")
