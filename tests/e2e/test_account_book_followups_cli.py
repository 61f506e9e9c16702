"""Issue 22's last gaps from the command line (SQLite and PostgreSQL): ``audit``'s section
of differences, ``import --derivatives`` and its note, the report's ledger margin."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from tests.e2e.test_cli import run

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "importers"
ACCOUNTS = FIXTURES / "accounts"
CCXT = FIXTURES / "ccxt-multi-fees.json"
RATES = FIXTURES / "bnb-rates.csv"


def imported(url, account: str, order: str) -> None:
    for step in order:
        name, fmt = (
            ("trades.csv", "kraken-trades") if step == "T" else ("ledgers.csv", "kraken-ledgers")
        )
        result = run(url, "import", str(ACCOUNTS / account / name), "--format", fmt)
        assert result.returncode == 0, result.stderr


def test_audit_lists_the_differences_and_still_exits_0(database_url):
    imported(database_url, "btc_2021", "TL")
    table = run(database_url, "audit")
    assert table.returncode == 0, table.stdout + table.stderr
    assert "differences between trades.csv and the ledger: 4 in 3 fills" in table.stdout
    assert (
        "  TB01-ETHBU-Y00001 (kraken ETH/BTC) cost: trades.csv 0.0006636 BTC, ledger 0.000664 BTC"
    ) in table.stdout
    document = json.loads(run(database_url, "audit", "--format", "json").stdout)
    assert document["balanced"] is True
    assert [(d["fill_id"], d["field"]) for d in document["differences"]] == [
        ("TB01-ETHBU-Y00001", "price"),
        ("TB01-ETHBU-Y00001", "cost"),
        ("TB02-ETHBU-Y00002", "fee"),
        ("TB03-ETHSE-LL0001", "fee"),
    ]
    assert document["differences"][2]["ledger"] == "0.000016 ETH"


def test_import_notes_skipped_derivatives_and_refuse_exits_2(database_url):
    args = ("import", str(CCXT), "--format", "ccxt-trades", "--rates", str(RATES))
    refused = run(database_url, *args, "--derivatives", "refuse")
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "entry 2" in refused.stderr and "BTC/USDT:USDT" in refused.stderr
    skipped = run(database_url, *args)
    assert skipped.returncode == 0, skipped.stderr
    assert "2 fills added" in skipped.stdout
    assert "note: 1 derivatives trades skipped: BTC/USDT:USDT (1)" in skipped.stdout
    again = run(database_url, *args, "--derivatives", "skip")
    assert "nothing new" in again.stdout and "BTC/USDT:USDT (1)" in again.stdout
    wrong = run(
        database_url,
        "import",
        str(ACCOUNTS / "eur_2026" / "trades.csv"),
        "--format",
        "kraken-trades",
        "--derivatives",
        "skip",
    )
    assert wrong.returncode == 2
    assert "--derivatives applies to --format ccxt-trades only" in wrong.stderr


def test_report_counts_ledger_margin_once_in_every_format(database_url):
    imported(database_url, "eur_2026", "L")
    document = json.loads(run(database_url, "report", "--format", "json").stdout)
    assert document["realized"]["EUR"]["ledger_margin"] == "115.55"
    assert document["realized"]["EUR"]["realized_pnl"] == "462.262"
    assert document["totals"]["EUR"]["all_realized_pnl"] == "462.262"
    rows = list(csv.DictReader(io.StringIO(run(database_url, "report", "--format", "csv").stdout)))
    (total,) = [r for r in rows if r["trading_pair"] == "TOTAL"]
    assert (total["ledger_margin"], total["all_realized_pnl"]) == ("115.55", "462.262")
    table = run(database_url, "report")
    assert table.returncode == 0, table.stderr
    assert "EUR: margin settled in the ledger (no trades.csv) 115.55 EUR" in table.stdout
    # trades.csv then completes the account: the same realized PnL, no ledger margin line
    imported(database_url, "eur_2026", "T")
    document = json.loads(run(database_url, "report", "--format", "json").stdout)
    assert document["realized"]["EUR"]["ledger_margin"] == "0"
    assert document["realized"]["EUR"]["realized_pnl"] == "462.262"
    assert "margin settled in the ledger" not in run(database_url, "report").stdout


@pytest.mark.parametrize("order", ["TL", "LT", "L"])
def test_eur_2026_realizes_the_same_per_currency_in_every_order(database_url, order):
    imported(database_url, "eur_2026", order)
    document = json.loads(run(database_url, "report", "--format", "json").stdout)
    realized = document["realized"]["EUR"]
    margin = "115.55" if order == "L" else "0"
    assert (realized["realized_pnl"], realized["ledger_margin"]) == ("462.262", margin)
    assert list(document["realized"]) == ["EUR"]
