"""The README's analytics example through the console script, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.test_cli import run

SAMPLES = Path(__file__).resolve().parents[2] / "importers" / "samples"


def test_readme_example_sample_trades_and_candles_to_equity(database_url, tmp_path):
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
    for code in ("XBTUSD", "XRPUSD", "XDGUSD"):
        result = run(
            database_url,
            "prices",
            "import",
            str(SAMPLES / f"{code}_1440.csv"),
            "--format",
            "kraken-ohlcvt",
        )
        assert result.returncode == 0, result.stderr
        assert "152 1d candles" in result.stdout
    plot = tmp_path / "equity.png"
    result = run(
        database_url,
        "equity",
        "--start-capital",
        "10000",
        "--currency",
        "USD",
        "--format",
        "json",
        "--plot",
        str(plot),
    )
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    last = document["days"][-1]
    assert (document["days"][0]["date"], last["date"]) == ("2024-01-08", "2024-05-31")
    # hand-checked: every closed trade's PnL, and 10,000 DOGE bought for 1,519 + 2.4304 fees now at 0.158
    assert (last["realized_pnl"], last["unrealized_pnl"], last["equity"]) == (
        "130.92134",
        "58.5696",
        "10189.49094",
    )
    assert plot.stat().st_size > 10_000
    table = run(database_url, "equity", "--start-capital", "10000", "--currency", "USD")
    assert (
        table.returncode == 0 and "sharpe" in table.stdout and "Deepest drawdowns" in table.stdout
    )
    snapshots = run(
        database_url, "snapshots", "rebuild", "--start-capital", "10000", "--currency", "USD"
    )
    assert snapshots.returncode == 0 and "145 daily snapshots stored" in snapshots.stdout
    missing = run(database_url, "equity", "--start-capital", "10000", "--currency", "EUR")
    assert (
        missing.returncode == 2
        and missing.stderr.count("\n") == 1
        and "Traceback" not in missing.stderr
    )
