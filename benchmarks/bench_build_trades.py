"""Trade building throughput, peak memory and scaling (one core, no database).

The classes are mapped first, as in the application: reading a mapped
attribute goes through SQLAlchemy's instrumentation. The targets apply to
``iter_trades``, the streaming builder a rebuild uses (trades are consumed as
they come, so memory holds only the open position); ``build_trades``, which
returns every trade in one list, is reported beside it.
"""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Callable, Iterable

from benchmarks.support import Row, synthetic_fills
from domain import Fill, TradeGrouping, build_trades, iter_trades
from persistence.orm import start_mappers


def _stream(fills: list[Fill]) -> int:
    return sum(1 for _ in iter_trades(fills, TradeGrouping.FLAT_TO_FLAT))


def _listed(fills: list[Fill]) -> int:
    return len(build_trades(fills, TradeGrouping.FLAT_TO_FLAT))


#: Fills built per size at least (small sizes are repeated more: a short run is noisier).
FILLS_PER_SIZE = 300_000


def _measure(count: int, build: Callable[[list[Fill]], int]) -> tuple[float, int]:
    """Fills per second (best of several untraced runs: the machine is shared), then the
    peak traced memory of one more run."""
    fills = synthetic_fills(count)
    elapsed = float("inf")
    for _ in range(max(3, FILLS_PER_SIZE // count)):
        started = time.perf_counter()
        made = build(fills)
        elapsed = min(elapsed, time.perf_counter() - started)
        assert made
    tracemalloc.start()
    build(fills)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return count / elapsed, peak


def _mib(size: int) -> str:
    return f"{size / 2**20:,.1f}"


def run(sizes: Iterable[int]) -> list[Row]:
    """fills/s and peak memory at the largest size, and cost per fill across sizes."""
    start_mappers()
    sizes = sorted(sizes)
    largest = sizes[-1]
    streamed = {size: _measure(size, _stream) for size in sizes}
    listed_rate, listed_peak = _measure(largest, _listed)
    rate, peak = streamed[largest]
    # The stream holds one batch of trades at most: compare sizes past the first batch.
    reference = sizes[1] if len(sizes) > 1 else sizes[0]
    reference_peak = streamed[reference][1]
    per_fill = {size: 1e6 / r for size, (r, _) in streamed.items()}
    spread = max(per_fill.values()) / min(per_fill.values())
    shown = ", ".join(f"{size:,}: {cost:.2f}" for size, cost in per_fill.items())
    return [
        Row(
            f"iter_trades on {largest:,} fills (fills/s)",
            f"{rate:,.0f}",
            "200,000 target",
            rate / 200_000,
            ">= 1.00",
            rate >= 200_000,
        ),
        Row(
            f"iter_trades peak extra memory (MiB), {largest:,} vs {reference:,} fills",
            _mib(peak),
            _mib(reference_peak),
            peak / reference_peak,
            "flat (<= 1.20)",
            peak / reference_peak <= 1.2,
        ),
        Row(
            f"scaling, us per fill ({shown})",
            f"{max(per_fill.values()):.2f}",
            f"{min(per_fill.values()):.2f}",
            spread,
            "<= 1.20",
            spread <= 1.2,
        ),
        Row(
            f"build_trades (one list) on {largest:,} fills: fills/s, peak MiB",
            f"{listed_rate:,.0f}",
            f"{_mib(listed_peak)} MiB",
            listed_rate / 200_000,
            "reported",
            None,
        ),
    ]
