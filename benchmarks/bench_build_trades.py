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
from gal_friday.domain import Fill, TradeGrouping, build_trades, iter_trades
from gal_friday.persistence.tables.mapping import start_mappers


def _stream(fills: list[Fill]) -> int:
    return sum(1 for _ in iter_trades(fills, TradeGrouping.FLAT_TO_FLAT))


def _listed(fills: list[Fill]) -> int:
    return len(build_trades(fills, TradeGrouping.FLAT_TO_FLAT))


#: Rounds over every size; within a round a size runs about ``FILLS_PER_ROUND`` fills.
ROUNDS = 3
FILLS_PER_ROUND = 100_000


def _best_seconds(
    inputs: dict[int, list[Fill]], build: Callable[[list[Fill]], int]
) -> dict[int, float]:
    """Per size, the best time of one run. The sizes take turns round after round, so a
    slow spell of the shared machine hits every size alike instead of deciding the ratio."""
    best = dict.fromkeys(inputs, float("inf"))
    for _ in range(ROUNDS):
        for count, fills in inputs.items():
            for _ in range(max(1, FILLS_PER_ROUND // count)):
                started = time.perf_counter()
                made = build(fills)
                best[count] = min(best[count], time.perf_counter() - started)
                assert made
    return best


def _peak(fills: list[Fill], build: Callable[[list[Fill]], int]) -> int:
    """Peak traced memory of one run."""
    tracemalloc.start()
    build(fills)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def _mib(size: int) -> str:
    return f"{size / 2**20:,.1f}"


def run(sizes: Iterable[int]) -> list[Row]:
    """fills/s and peak memory at the largest size, and cost per fill across sizes."""
    start_mappers()
    sizes = sorted(sizes)
    largest = sizes[-1]
    inputs = {size: synthetic_fills(size) for size in sizes}
    seconds = _best_seconds(inputs, _stream)
    rate = largest / seconds[largest]
    # The stream holds one batch of trades at most: compare sizes past the first batch.
    reference = sizes[1] if len(sizes) > 1 else sizes[0]
    peak, reference_peak = _peak(inputs[largest], _stream), _peak(inputs[reference], _stream)
    listed_seconds = _best_seconds({largest: inputs[largest]}, _listed)[largest]
    listed_rate, listed_peak = largest / listed_seconds, _peak(inputs[largest], _listed)
    per_fill = {size: 1e6 * seconds[size] / size for size in sizes}
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
