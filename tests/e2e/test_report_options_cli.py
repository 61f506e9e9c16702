"""`report --statistics`, `--by` and `--currency` through the console script on the bundled sample."""

from __future__ import annotations

import json
from decimal import Decimal as D
from pathlib import Path

from tests.e2e.test_cli import run

SAMPLES = Path(__file__).resolve().parents[2] / "importers" / "samples"


def test_sample_report_statistics_periods_and_currency(database_url):
    assert (
        run(
            database_url,
            "import",
            str(SAMPLES / "kraken-trades-sample.csv"),
            "--format",
            "kraken-trades",
        ).returncode
        == 0
    )
    plain = json.loads(run(database_url, "report", "--format", "json").stdout)

    result = run(database_url, "report", "--statistics", "--by", "month", "--format", "json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert {
        k: v for k, v in document.items() if k not in ("by", "periods")
    } != plain  # statistics added
    for pair, before in zip(document["pairs"], plain["pairs"], strict=True):
        assert {k: v for k, v in pair.items() if k != "statistics"} == before
        assert pair["statistics"]["largest_win"] == (
            before["best_trade"] if before["wins"] else None
        )
    total = document["totals"]["USD"]
    assert total["statistics"]["win_rate"] == "0.6"  # 3 wins of 5 closed trades
    months = [row for row in document["periods"] if row["currency"] == "USD"]
    assert [row["period"] for row in months] == ["2024-01", "2024-02", "2024-03", "2024-04"]
    assert sum(D(row["realized_pnl"]) for row in months) == D(total["realized_pnl"])

    # no prices stored: converting is an error naming the pair and time, never 0
    missing = run(database_url, "report", "--currency", "USD")
    assert missing.returncode == 0  # USD pairs into USD need no rate
    missing = run(database_url, "report", "--currency", "EUR")
    assert missing.returncode == 2 and missing.stderr.count("\n") == 1
    assert "trade exited 2024-" in missing.stderr and "Traceback" not in missing.stderr

    for code in ("XBTUSD", "XRPUSD", "XDGUSD"):
        assert (
            run(
                database_url,
                "prices",
                "import",
                str(SAMPLES / f"{code}_1440.csv"),
                "--format",
                "kraken-ohlcvt",
            ).returncode
            == 0
        )
    in_btc = run(database_url, "report", "--currency", "BTC", "--statistics", "--format", "json")
    assert in_btc.returncode == 0, in_btc.stderr
    converted = json.loads(in_btc.stdout)
    assert converted["currency"] == "BTC" and list(converted["totals"]) == ["BTC"]
    assert D(converted["totals"]["BTC"]["realized_pnl"]) > 0

    table = run(database_url, "report", "--statistics", "--by", "week")
    assert table.returncode == 0 and "win rate" in table.stdout and "2024-W" in table.stdout
    both = run(database_url, "report", "--statistics", "--by", "week", "--format", "csv")
    assert both.returncode == 2 and "not both" in both.stderr
    stray = run(database_url, "report", "--prices-exchange", "kraken")
    assert stray.returncode == 2 and "--currency" in stray.stderr
