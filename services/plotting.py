"""Cumulative realized PnL over time per pair, drawn to a PNG (needs the ``plot`` extra)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

from gal_friday.domain import Trade


class PlottingUnavailableError(RuntimeError):
    """matplotlib is not installed."""


def plot_cumulative_pnl(trades: Iterable[Trade], path: str | Path) -> int:
    """Draw each pair's cumulative realized PnL (closed trades, by exit time); return the lines."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise PlottingUnavailableError(
            "--plot needs matplotlib: pip install 'gal-friday-persistence[plot]'"
        ) from None
    series: dict[str, list[Trade]] = defaultdict(list)
    for trade in trades:
        if trade.exit_timestamp is not None:
            series[f"{trade.trading_pair} ({trade.exchange})"].append(trade)
    figure, axes = plt.subplots(figsize=(9, 4.5))
    for label, closed in sorted(series.items()):
        closed.sort(key=lambda t: (t.exit_timestamp, t.entry_timestamp))
        running = Decimal(0)
        times: list[Any] = [min(t.entry_timestamp for t in closed)]  # each line starts at zero
        values: list[Decimal] = [running]
        for trade in closed:
            running += trade.realized_pnl
            times.append(trade.exit_timestamp)
            values.append(running)
        # Drawing is the one place numbers become floats: pixels, not money.
        axes.step(times, [float(value) for value in values], where="post", label=label)
    axes.set_title("Cumulative realized PnL (quote currency)")
    axes.axhline(0, color="grey", linewidth=0.8)
    axes.legend(loc="best")
    figure.autofmt_xdate()
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return len(series)
