"""``python -m benchmarks [--size small|full]``: run every benchmark and print one table."""

from __future__ import annotations

import argparse
import os
import platform
import sys
from collections.abc import Callable

import psycopg

from benchmarks import (
    bench_build_trades,
    bench_equity,
    bench_import,
    bench_live_open_cycle,
    bench_live_path,
    bench_load,
    bench_logging,
    bench_memory,
    bench_order_history,
    bench_reads,
    bench_report,
)
from benchmarks.support import ADMIN_URL, Row, libpq

SIZES = {
    "small": {
        "import": 3_000,
        "import-repeats": 1,
        "import-1m": 30_000,
        "live": 200,
        "live-open-cycle": 200,
        "order-history": 200,
        "load": 1_000,
        "trades": [10_000, 20_000, 40_000],
        "logging": 5_000,
        "equity": 3_000,
        "report": 2_000,
        "reads": [2_000, 4_000, 12_000],
        "memory": [2_000, 20_000],
    },
    "full": {
        "import": 100_000,
        "import-repeats": 2,
        "import-1m": 1_000_000,
        "live": 1_500,
        "live-open-cycle": 1_500,
        "order-history": 1_500,
        "load": 10_000,
        "trades": [10_000, 100_000, 1_000_000],
        "logging": 100_000,
        "equity": 100_000,
        "report": 100_000,
        "reads": [100_000, 100_000, 1_000_000],
        "memory": [10_000, 1_000_000],
    },
}


def _machine() -> str:
    from sqlalchemy.engine import make_url

    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as handle:
            cpu = next(line.split(":", 1)[1].strip() for line in handle if "model name" in line)
    except (OSError, StopIteration):
        pass
    with psycopg.connect(libpq(make_url(ADMIN_URL))) as conn:
        server = conn.execute("SHOW server_version").fetchone()[0]  # type: ignore[index]
    return f"{os.cpu_count()} cores, {cpu}; Python {platform.python_version()}; PostgreSQL {server}"


def _table(rows: list[Row]) -> str:
    header = ["benchmark", "ours", "baseline", "ratio", "target", "met"]
    cells = [header, *[row.cells() for row in rows]]
    widths = [max(len(line[i]) for line in cells) for i in range(len(header))]
    lines = [" | ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)) for line in cells]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(lines)


def main() -> int:
    """Run the benchmarks of the chosen size and print the results table."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--size", choices=sorted(SIZES), default="full")
    parser.add_argument(
        "--only",
        choices=[
            "import",
            "import-1m",
            "live",
            "live-open-cycle",
            "order-history",
            "load",
            "trades",
            "logging",
            "equity",
            "report",
            "reads",
            "memory",
        ],
        help="one suite; import-1m (the import at 1,000,000 fills, several minutes) runs only so",
    )
    args = parser.parse_args()
    sizes = SIZES[args.size]
    suites: dict[str, Callable[[], list[Row]]] = {
        "import": lambda: bench_import.run(sizes["import"], sizes["import-repeats"]),
        "import-1m": lambda: bench_import.run(sizes["import-1m"]),
        "live": lambda: bench_live_path.run(sizes["live"]),
        "live-open-cycle": lambda: bench_live_open_cycle.run(sizes["live-open-cycle"]),
        "order-history": lambda: bench_order_history.run(sizes["order-history"]),
        "load": lambda: bench_load.run(sizes["load"]),
        "trades": lambda: bench_build_trades.run(sizes["trades"]),
        "logging": lambda: bench_logging.run(sizes["logging"]),
        "equity": lambda: bench_equity.run(sizes["equity"]),
        "report": lambda: bench_report.run(sizes["report"]),
        "reads": lambda: bench_reads.run(*sizes["reads"]),
        "memory": lambda: bench_memory.run(sizes["memory"]),
    }
    rows: list[Row] = []
    for name, suite in suites.items():
        if args.only and name != args.only:
            continue
        if name == "import-1m" and args.only != name:
            continue  # minutes long: only when asked for
        print(f"running {name} ...", file=sys.stderr, flush=True)
        rows.extend(suite())
    print(f"machine: {_machine()}; size: {args.size}")
    print(_table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
