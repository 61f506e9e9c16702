"""``gal-friday import`` of a 2026 Kraken account in a subprocess: the summary by row type,
the differences with trades.csv, and the same report whichever file comes first."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.test_cli import FIXTURES, run
from tests.support import databases

ACCOUNT = FIXTURES / "accounts" / "eur_2026"


def imported(url, *files: str):
    for name in files:
        fmt = "kraken-trades" if name == "trades.csv" else "kraken-ledgers"
        done = run(url, "import", str(ACCOUNT / name), "--format", fmt)
        assert done.returncode == 0, done.stderr
        yield done.stdout


def realized(url) -> dict[str, tuple[str, str, int, bool]]:
    report = run(url, "report", "--format", "json")
    assert report.returncode == 0, report.stderr
    return {
        p["trading_pair"]: (
            p["realized_pnl"],
            p["open_realized_pnl"],
            p["trades"],
            p["fees_from_trades_csv_only"],
        )
        for p in json.loads(report.stdout)["pairs"]
    }


def test_either_order_prints_what_each_row_became_and_reports_the_same(
    database_url, request, tmp_path: Path
):
    trades_out, ledger_out = imported(database_url, "trades.csv", "ledgers.csv")
    assert "4 fills added" in trades_out
    assert "rows stored by type:" in ledger_out
    assert "sale             2  CONVERSION  instant buys and sells" in ledger_out
    assert "rollover         2  MARGIN" in ledger_out
    assert "earn             4  INTERNAL    moves between wallets" in ledger_out
    assert "2 conversions built" in ledger_out
    assert (
        "TE02-MARGI-NOPEN1 (kraken ADA.MARGIN/EUR) fee: trades.csv 0.96 EUR, ledger 3.68 EUR"
        in ledger_out
    )
    first = realized(database_url)
    assert first["ADA/EUR"][:3] == ("346.712", "0", 1)  # closed by the `sale` rows
    assert first["ADA.MARGIN/EUR"][:3] == ("115.55", "0", 1)  # apart from spot, fees in

    backend = database_url.get_backend_name()
    template = request.getfixturevalue(f"{backend}_template")
    with databases.fresh_database(backend, template, tmp_path) as other:
        ledger_first, trades_after = imported(other, "ledgers.csv", "trades.csv")
        assert "margin rows without a margin fill" in ledger_first
        assert "TE02-MARGI-NOPEN1 (kraken ADA.MARGIN/EUR) fee" in trades_after
        assert realized(other) == first
