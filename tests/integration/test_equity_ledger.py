"""Equity from a stored Kraken ledger (opening balances, flows, income), on both databases."""

from __future__ import annotations

import decimal
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest

from gal_friday.domain.errors import InvalidValueError
from gal_friday.persistence.bootstrap import unit_of_work_factory
from gal_friday.services.equity import build_equity
from gal_friday.services.importing import import_history
from gal_friday.services.ledger_import import import_ledger
from gal_friday.services.prices import import_prices

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
ACCOUNT = FIXTURES / "importers" / "accounts" / "eur_2026"
PRICES = [FIXTURES / "equity" / "ADAEUR_1440.csv", FIXTURES / "equity" / "XBTEUR_1440.csv"]


def load(engine, *files: str) -> None:
    uow = unit_of_work_factory(engine)
    for name in files:
        if name == "ledgers":
            import_ledger(uow, ACCOUNT / "ledgers.csv")
        else:
            import_history(uow, ACCOUNT / "trades.csv", "kraken-trades")
    for path in PRICES:
        import_prices(uow, path, "kraken-ohlcvt")


def test_the_ledger_gives_opening_balances_and_flows(engine):
    load(engine, "ledgers")
    report = build_equity(unit_of_work_factory(engine), currency="EUR")
    days = {day.date: day for day in report.days}
    assert report.source == "ledger" and report.start_capital is None
    assert (report.days[0].date, report.days[-1].date) == (date(2026, 1, 2), date(2026, 1, 31))
    # the 5000 EUR deposit is a flow: no return on its day
    first = days[date(2026, 1, 2)]
    assert (first.equity, first.flows, first.daily_return) == (D(5000), D(5000), D(0))
    # 4499.2 EUR after buying 1000 ADA (0.8 fee), ADA closing at 0.50
    assert days[date(2026, 1, 5)].equity == D("4999.2")
    # the 1000 EUR withdrawal is a flow, its 0.09 fee a cost
    assert days[date(2026, 1, 28)].flows == D(-1000)
    assert [(f.asset, f.amount) for f in report.flows] == [("EUR", D(5000)), ("EUR", D(-1000))]
    # the 0.00001 BTC earn reward of Jan 23 is income at that day's close (43300)
    assert days[date(2026, 1, 23)].income == D("0.433")
    # 3954.712 EUR and 0.01201 BTC (spot again after the deallocation) at 44000
    assert report.days[-1].equity == D("4483.152")
    with decimal.localcontext() as context:
        context.prec = 50
        growth, previous = D(1), report.opening_value
        for day in report.days:
            growth *= day.equity / (previous + day.flows)
            previous = day.equity
    assert report.twr == (growth - 1).quantize(D("1e-18"))
    assert report.statistics.total_return == report.twr
    assert report.xirr is not None and report.xirr > report.twr  # money came in before gains
    assert report.end is not None and report.end.pair == "ADA/EUR"
    assert (report.end.fills_after, report.end.rows_after) == (0, 0)
    assert report.negative_balances == [] and report.stale_prices == []


@pytest.mark.parametrize("order", [("ledgers", "trades"), ("trades", "ledgers")])
def test_the_curve_is_the_same_whichever_file_came_first(engine, order, tmp_path):
    load(engine, *order)
    both = build_equity(unit_of_work_factory(engine), currency="EUR")
    assert both.fills.not_in_ledger == 0  # every fill of trades.csv is in the ledger
    assert both.days[-1].equity == D("4483.152")
    assert (both.days[0].date, len(both.days)) == (date(2026, 1, 2), 30)
    flows = [day.flows for day in both.days]
    assert flows.count(D(0)) == 28 and sum(flows, D(0)) == D(4000)


def test_without_a_ledger_the_start_capital_is_needed_and_its_shortfall_reported(engine):
    load(engine, "trades")
    with pytest.raises(InvalidValueError, match="no ledger is stored"):
        build_equity(unit_of_work_factory(engine), currency="EUR")
    report = build_equity(unit_of_work_factory(engine), currency="EUR", start_capital=D(100))
    assert report.source == "fills"
    (cash,) = [n for n in report.negative_balances if n.asset == "EUR"]
    # 500 EUR and a 0.8 fee paid for ADA out of 100
    assert cash.lowest <= D("-400.8")
    assert cash.first_at.date() == date(2026, 1, 5)
