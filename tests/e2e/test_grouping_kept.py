"""A pair's grouping is kept until the user changes it (issue 13.7)."""

from __future__ import annotations

import json

from tests.e2e.test_cli import HISTORY, run


def test_a_plain_import_keeps_the_fifo_grouping_chosen_before(database_url, tmp_path):
    assert run(database_url, "import", str(HISTORY), "--format", "kraken-trades").returncode == 0
    rebuilt = run(database_url, "trades", "rebuild", "--grouping", "fifo")
    assert "BTC/USD (kraken): 2 trades (fifo)" in rebuilt.stdout
    more = tmp_path / "more.csv"
    more.write_text(
        HISTORY.read_text().splitlines()[0]
        + "\nE9,O9,XXBTZUSD,2024-02-01 10:00:00,buy,limit,100.0,100,0.2,1,0,,\n"
    )
    result = run(database_url, "import", str(more), "--format", "kraken-trades")
    assert result.returncode == 0, result.stderr
    data = json.loads(run(database_url, "report", "--format", "json").stdout)
    groupings = {pair["trading_pair"]: pair["grouping"] for pair in data["pairs"]}
    assert groupings["BTC/USD"] == "FIFO"  # was flat-to-flat: the import rebuilt it so
    again = run(database_url, "trades", "rebuild")  # no --grouping: each pair keeps its own
    assert "BTC/USD (kraken): 3 trades (fifo)" in again.stdout
    changed = run(database_url, "trades", "rebuild", "--grouping", "flat-to-flat")
    assert "BTC/USD (kraken): 2 trades (flat-to-flat)" in changed.stdout
