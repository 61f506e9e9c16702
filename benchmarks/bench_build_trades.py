"""``build_trades`` throughput, peak memory and scaling (one core, no database).

The classes are mapped first, as in the application: reading a mapped
attribute goes through SQLAlchemy's instrumentation.
"""

from __future__ import annotations

import time
import tracemalloc

from benchmarks.support import Row, synthetic_fills
from domain import TradeGrouping, build_trades
from persistence.orm import start_mappers


def _rate(count: int) -> tuple[float, int]:
    """Fills per second (timed without tracing), then the peak traced memory of a second run."""
    fills = synthetic_fills(count)
    started = time.perf_counter()
    trades = build_trades(fills, TradeGrouping.FLAT_TO_FLAT)
    elapsed = time.perf_counter() - started
    assert trades
    del trades
    tracemalloc.start()
    build_trades(fills, TradeGrouping.FLAT_TO_FLAT)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return count / elapsed, peak


def run(sizes: list[int]) -> list[Row]:
    """fills/s at the largest size, and cost per fill across sizes."""
    start_mappers()
    rates = {size: _rate(size) for size in sizes}
    largest = max(sizes)
    rate, peak = rates[largest]
    rows = [
        Row(
            f"build_trades on {largest:,} fills (fills/s)",
            f"{rate:,.0f}",
            "200,000 target",
            rate / 200_000,
            ">= 1.00",
            rate >= 200_000,
        ),
        Row(
            f"build_trades peak extra memory, {largest:,} fills (MiB)",
            f"{peak / 2**20:,.1f}",
            "-",
            0.0,
            "reported",
            None,
        ),
    ]
    per_fill = {size: 1e6 / r for size, (r, _) in rates.items()}
    spread = max(per_fill.values()) / min(per_fill.values())
    shown = ", ".join(f"{size:,}: {cost:.2f}" for size, cost in per_fill.items())
    rows.append(
        Row(
            f"scaling, us per fill ({shown})",
            f"{max(per_fill.values()):.2f}",
            f"{min(per_fill.values()):.2f}",
            spread,
            "<= 1.20",
            spread <= 1.2,
        )
    )
    return rows
