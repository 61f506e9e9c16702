"""Issue 22's last gaps, on both databases: the audit lists where trades.csv and the ledger
differ, ccxt derivatives are skipped with a note or refused, and the ledger's margin rows
without a margin fill count in the realized PnL exactly once."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal as D
from pathlib import Path

import pytest

from gal_friday.importers import ImportFormatError
from gal_friday.importers.rates import read_rates
from gal_friday.persistence.bootstrap import unit_of_work_factory
from gal_friday.services.audit import audit
from gal_friday.services.importing import import_history
from gal_friday.services.ledger_import import import_ledger
from gal_friday.services.reporting import build_report

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "importers"
ACCOUNTS = FIXTURES / "accounts"
CCXT = FIXTURES / "ccxt-multi-fees.json"
RATES = FIXTURES / "bnb-rates.csv"

#: Every import order of an account's files: T = trades.csv, L = ledgers.csv.
ORDERS = ("TL", "LT", "L")


def imported(uow, account: str, order: str) -> None:
    for step in order:
        if step == "T":
            import_history(uow, ACCOUNTS / account / "trades.csv", "kraken-trades")
        else:
            import_ledger(uow, ACCOUNTS / account / "ledgers.csv")


@pytest.mark.parametrize("order", ["TL", "LT"])
def test_the_audit_lists_each_difference_in_either_order_and_still_balances(engine, order):
    uow = unit_of_work_factory(engine)
    imported(uow, "btc_2021", order)
    result = audit(uow)
    assert result.balanced
    found = [(d.fill_id, d.field, d.trades_csv, d.ledger) for d in result.differences]
    assert found == [
        ("TB01-ETHBU-Y00001", "price", "0.03318 BTC", "0.0332 BTC"),
        ("TB01-ETHBU-Y00001", "cost", "0.0006636 BTC", "0.000664 BTC"),
        ("TB02-ETHBU-Y00002", "fee", "0.00000054 BTC", "0.000016 ETH"),
        ("TB03-ETHSE-LL0001", "fee", "0.00000163 BTC", "0"),
    ]
    assert {d.exchange for d in result.differences} == {"kraken"}


def test_the_audit_lists_no_difference_without_trades_csv(engine):
    uow = unit_of_work_factory(engine)
    imported(uow, "btc_2021", "L")
    assert audit(uow).differences == []


def test_ccxt_derivatives_are_skipped_with_a_note_by_default(engine):
    uow = unit_of_work_factory(engine)
    summary = import_history(uow, CCXT, "ccxt-trades", rates=read_rates(RATES))
    assert summary.fills_added == 2
    (note,) = summary.notes
    assert note.startswith("1 derivatives trades skipped: BTC/USDT:USDT (1)")
    again = import_history(uow, CCXT, "ccxt-trades", rates=read_rates(RATES), derivatives="skip")
    assert (again.fills_added, again.notes) == (0, summary.notes)


def test_ccxt_derivatives_refused_stop_the_file_naming_the_entry(engine):
    uow = unit_of_work_factory(engine)
    with pytest.raises(ImportFormatError, match="entry 2: .*BTC/USDT:USDT.*derivatives"):
        import_history(uow, CCXT, "ccxt-trades", rates=read_rates(RATES), derivatives="refuse")
    with uow() as repositories:
        assert repositories.fills.pairs() == []  # nothing of the file stored


def test_derivatives_is_refused_for_another_format(engine):
    uow = unit_of_work_factory(engine)
    path = ACCOUNTS / "eur_2026" / "trades.csv"
    with pytest.raises(ImportFormatError, match="derivatives applies to ccxt-trades only"):
        import_history(uow, path, "kraken-trades", derivatives="skip")
    assert import_history(uow, path, "kraken-trades").notes == []


def realized(uow, **options) -> dict[str, tuple[D, D]]:
    """Per currency: everything realized, and the part from ledger margin rows."""
    report = build_report(uow, **options)
    return {row.currency: (row.realized_pnl, row.ledger_margin) for row in report.realized_totals}


@pytest.mark.parametrize("order", ORDERS)
def test_eur_2026_realizes_the_same_pnl_per_currency_in_every_import_order(engine, order):
    uow = unit_of_work_factory(engine)
    imported(uow, "eur_2026", order)
    # margin rows: -0.96 - 1.20 - 1.52 + (120 - 0.77) = 115.55 EUR, counted once
    margin = D("115.55") if order == "L" else D(0)
    assert realized(uow) == {"EUR": (D("462.262"), margin)}
    report = build_report(uow)
    (total,) = report.totals
    assert total.realized_pnl == D("462.262") - margin  # closed trades never include it


def test_ledger_margin_follows_the_period_and_is_left_out_of_one_pair(engine):
    uow = unit_of_work_factory(engine)
    imported(uow, "eur_2026", "L")
    # the opening fee and the first rollover fall before the second rollover's day
    until = datetime(2026, 1, 7, tzinfo=UTC)
    assert realized(uow, until=until) == {"EUR": (D("-2.16"), D("-2.16"))}
    assert realized(uow, trading_pair="ADA/EUR")["EUR"][1] == D(0)


def test_a_converted_report_counts_ledger_margin_in_the_reporting_currency(engine):
    uow = unit_of_work_factory(engine)
    imported(uow, "eur_2026", "L")
    assert realized(uow, currency="EUR") == {"EUR": (D("462.262"), D("115.55"))}
