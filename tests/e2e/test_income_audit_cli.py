"""``gal-friday audit`` per wallet and ``gal-friday income`` in a subprocess."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from tests.e2e.test_cli import run
from tests.unit.test_ledger_replay import FIXTURES, LEDGER_2026, WALLETS_2024

PRICES = FIXTURES / "ledgers_2026"


def imported(url, path: Path) -> None:
    result = run(url, "import", str(path), "--format", "kraken-ledgers")
    assert result.returncode == 0, result.stderr


def test_a_multi_wallet_export_audits_with_exit_0_and_both_views(database_url):
    imported(database_url, WALLETS_2024)
    table = run(database_url, "audit")
    assert table.returncode == 0, table.stdout + table.stderr
    assert "per asset and wallet" in table.stdout and "earn / bonded" in table.stdout
    assert "3 assets replayed, all balance" in table.stdout
    document = json.loads(run(database_url, "audit", "--format", "json").stdout)
    assert document["balanced"] is True
    wallets = {(a["asset"], a["wallet"]): a["closing_balance"] for a in document["assets"]}
    assert wallets[("DOT", "earn / bonded")] == "40.98"
    assert wallets[("DOT", "spot / main")] == "50"
    totals = {a["asset"]: (a["closing_balance"], a["wallets"]) for a in document["asset_totals"]}
    assert totals["DOT"] == ("90.98", ["earn / bonded", "spot / main"])


def test_a_deleted_row_exits_3_naming_asset_wallet_and_time(database_url, tmp_path: Path):
    gapped = tmp_path / "ledgers.csv"
    lines = WALLETS_2024.read_text().splitlines(keepends=True)
    gapped.write_text("".join(line for line in lines if "EW0004-AAAAA-RWD02" not in line))
    imported(database_url, gapped)
    table = run(database_url, "audit")
    assert table.returncode == 3, table.stdout + table.stderr
    assert (
        "DOT (kraken, wallet earn / bonded) first diverges at 2024-02-20 12:00:00, refid "
        "EW0006-AAAAA-DEALL: expected 40.5, found 40.98"
    ) in table.stdout
    assert "1 diverge: DOT (kraken, wallet earn / bonded)" in table.stdout
    document = json.loads(run(database_url, "audit", "--format", "json").stdout)
    (wrong,) = [a for a in document["assets"] if a["first_divergence"]]
    assert (wrong["asset"], wrong["wallet"], wrong["first_divergence"]["time"]) == (
        "DOT",
        "earn / bonded",
        "2024-02-20T12:00:00+00:00",
    )


def test_income_in_every_format(database_url):
    imported(database_url, LEDGER_2026)
    for code in ("DOTEUR", "XBTEUR"):
        path = PRICES / f"{code}_1440.csv"
        assert run(database_url, "prices", "import", str(path), "--format", "kraken-ohlcvt")
    partial = run(database_url, "income", "--currency", "EUR")
    assert partial.returncode == 0, partial.stderr
    assert "ETH2.S (priced as ETH): no price of ETH in EUR on 2026-01-17" in partial.stdout
    assert "total in EUR: not known, 1 asset day without a price" in partial.stdout
    run(
        database_url,
        "prices",
        "import",
        str(PRICES / "ETHEUR_1440.csv"),
        "--format",
        "kraken-ohlcvt",
    )

    table = run(database_url, "income", "--currency", "EUR")
    assert table.returncode == 0, table.stderr
    assert "total in EUR: 9.43" in table.stdout and "staking" in table.stdout

    document = json.loads(
        run(database_url, "income", "--currency", "EUR", "--format", "json").stdout
    )
    assert document["total_value"] == "9.42975" and document["rows"] == 4
    dot_s = next(line for line in document["lines"] if line["asset"] == "DOT.S")
    assert (dot_s["priced_as"], dot_s["net"], dot_s["value"]) == ("DOT", "0.12", "0.696")

    since = run(database_url, "income", "--since", "2026-01-16", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(since.stdout)))
    assert [(r["exchange"], r["asset"], r["net"], r["value"]) for r in rows] == [
        ("kraken", "BTC.M", "0.00002", ""),
        ("kraken", "ETH2.S", "0.0015", ""),
        ("TOTAL", "", "", ""),
    ]
    assert rows[-1]["rows"] == "2"

    bad = run(database_url, "income", "--prices-exchange", "kraken")
    assert bad.returncode == 2
    assert bad.stderr.strip() == "error: --prices-exchange: only used with --currency"
