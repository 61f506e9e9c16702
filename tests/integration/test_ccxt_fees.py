"""ccxt trades with fees in several currencies and derivatives symbols, on both databases."""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import pytest

from gal_friday.importers import ImportFormatError
from gal_friday.importers.rates import read_rates
from gal_friday.persistence.bootstrap import unit_of_work_factory
from gal_friday.services.importing import import_history
from gal_friday.services.reporting import build_report

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "importers"
TRADES = FIXTURES / "ccxt-multi-fees.json"


def test_fees_in_two_currencies_are_valued_through_the_rates(engine):
    uow = unit_of_work_factory(engine)
    summary = import_history(
        uow, TRADES, "ccxt-trades", rates=read_rates(FIXTURES / "bnb-rates.csv")
    )
    # the BTC/USDT:USDT perpetual is skipped, the two spot trades are stored
    assert (summary.fills_in_file, summary.fills_added) == (2, 2)
    with uow() as repositories:
        bought = repositories.fills.get("binance", "m1")
        sold = repositories.fills.get("binance", "m2")
        assert repositories.fills.get("binance", "p1") is None
    assert bought is not None and sold is not None
    assert (bought.commission, bought.commission_asset) == (D("1.5"), "USDT")
    assert bought.extra_commissions == {"BNB": D("0.01")}
    assert (sold.commission, sold.commission_asset, sold.extra_commissions) == (
        D(2),
        "USDT",
        {"BNB": D("0.02")},
    )
    (pair,) = build_report(uow).pairs
    # 4300 - 4200 - 1.5 - 0.01 BNB at 300 - 2 - 0.02 BNB at 310.5
    assert pair.realized_pnl == D("87.29")
    assert pair.total_commission == D("12.71")


def test_a_third_asset_fee_without_a_rate_refuses_the_file(engine):
    uow = unit_of_work_factory(engine)
    with pytest.raises(ImportFormatError, match="entry 1: .*BNB: no BNB/USDT rate"):
        import_history(uow, TRADES, "ccxt-trades")
    with uow() as repositories:
        assert repositories.fills.pairs() == []  # nothing of the file stored
