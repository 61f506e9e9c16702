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
        "machine:",
    ]:
        assert expected in result.stdout, expected
