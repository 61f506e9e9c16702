"""The benchmark command runs end to end at small sizes and prints every row (no timing asserted)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_benchmarks_run_at_small_size():
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--size", "small"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    for expected in [
        "import 3,000 Kraken fills",
        "live path",
        "live fill changing the status (+1 history row): median ms",
        "record_fill with trades: median at 10,000 fills in the cycle / at 0",
        "p99",
        "load 1,000 orders",
        "iter_trades on 40,000 fills",
        "iter_trades peak extra memory",
        "build_trades (one list) on 40,000 fills",
        "scaling",
        "logger.info caller cost",
        "log rows/s into PostgreSQL",
        "equity: 1,096 days x 3 pairs from 3,000 fills",
        "report: 2,000 closed trades on SQLite",
        "report: 2,000 closed trades on PostgreSQL",
        "start-up: gal-friday --help",
        "start-up: gal-friday report, 20 trades on SQLite",
        "positions at 2,000 fills",
        "balances at 2,000 fills",
        "realized PnL this day at 4,000 trades",
        "realized PnL this week at 4,000 trades",
        "realized PnL this month at 4,000 trades",
        "streak at 4,000 trades",
        "risk figures (all, with exposure) at 4,000 trades",
        "history: page of 100 fills",
        "history: count of a pair's fills at 12,000 fills",
        "audit peak RSS, SQLite, 2,000 -> 20,000 fills",
        "equity peak RSS, SQLite, 2,000 -> 20,000 fills",
        "machine:",
    ]:
        assert expected in result.stdout, expected
