"""``gal-friday import --format kraken-ledgers`` and ``gal-friday audit`` in a subprocess."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.test_cli import FIXTURES, run

TRADES = FIXTURES / "kraken-ledgers-account-trades.csv"
LEDGER = FIXTURES / "kraken-ledgers-2021.csv"
LEDGER_2024 = FIXTURES / "kraken-ledgers-2024.csv"


def open_pairs(url) -> list[str]:
    report = run(url, "report", "--format", "json")
    assert report.returncode == 0, report.stderr
    return [p["trading_pair"] for p in json.loads(report.stdout)["pairs"] if p["open_trades"]]


def test_ledger_after_trades_closes_the_phantom_position_and_the_audit_passes(database_url):
    assert run(database_url, "import", str(TRADES), "--format", "kraken-trades").returncode == 0
    assert open_pairs(database_url) == ["BTC/USD", "DOGE/BTC"]
    ledger = run(database_url, "import", str(LEDGER), "--format", "kraken-ledgers")
    assert ledger.returncode == 0, ledger.stderr
    assert "30 ledger entries added (1 pending" in ledger.stdout
    assert "4 fills took the ledger's amounts" in ledger.stdout
    assert "3 fills built from its trades, 0 conversions built" in ledger.stdout
    assert "fills where trades.csv and the ledger differ" in ledger.stdout
    assert open_pairs(database_url) == []
    again = run(database_url, "import", str(LEDGER_2024), "--format", "kraken-ledgers")
    assert "0 ledger entries added (0 pending, 30 already stored" in again.stdout

    table = run(database_url, "audit")
    assert table.returncode == 0, table.stderr
    assert "8 assets replayed, all balance; 10 fills checked, 0 disagree" in table.stdout
    document = run(database_url, "audit", "--format", "json")
    assert document.returncode == 0
    data = json.loads(document.stdout)
    assert data["balanced"] is True
    kfee = next(a for a in data["assets"] if a["asset"] == "KFEE")
    assert (kfee["opening_balance"], kfee["closing_balance"]) == ("1000", "750")


def test_a_deleted_ledger_row_fails_the_audit_with_exit_3_naming_asset_and_time(
    database_url, tmp_path: Path
):
    lines = LEDGER.read_text().splitlines(keepends=True)
    gapped = tmp_path / "ledgers.csv"
    gapped.write_text("".join(line for line in lines if "RSTK3-AAAAA-DOT01" not in line))
    assert run(database_url, "import", str(gapped), "--format", "kraken-ledgers").returncode == 0
    table = run(database_url, "audit")
    assert table.returncode == 3
    assert "DOT.S" in table.stdout and "2021-03-07 00:00:00" in table.stdout
    assert "expected 10.0119, found 10.0242" in table.stdout
    assert "1 diverge: DOT.S (kraken)" in table.stdout
    document = json.loads(run(database_url, "audit", "--format", "json").stdout)
    (wrong,) = [a for a in document["assets"] if a["first_divergence"]]
    assert (wrong["asset"], wrong["first_divergence"]["time"]) == (
        "DOT.S",
        "2021-03-07T00:00:00+00:00",
    )


def test_bad_input_exits_2_with_one_line(database_url, tmp_path: Path):
    no_ledger = run(database_url, "audit")
    assert no_ledger.returncode == 2
    assert no_ledger.stderr.strip() == (
        "error: no ledger entries stored: import one with --format kraken-ledgers"
    )
    bad = tmp_path / "ledgers.csv"
    bad.write_text(LEDGER.read_text().replace('"ZUSD","10000.0000"', '"ZUSD","ten"'))
    result = run(database_url, "import", str(bad), "--format", "kraken-ledgers")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"error: {bad}:2: column 'amount' (8): 'ten' is not a decimal number"
    )
    assert "Traceback" not in result.stderr
