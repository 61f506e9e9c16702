"""Cumulative realized PnL over time per pair, drawn to a PNG (needs the ``plot`` extra).

The chart draws exactly the report's closed trades (same pair, same period), one
axis per quote currency, so USD and BTC never share a scale.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

from gal_friday.domain.performance import PairPerformance, Performance
from gal_friday.domain.values import exact


class PlottingUnavailableError(RuntimeError):
    """matplotlib is not installed."""


def require_matplotlib() -> Any:
    """``matplotlib.pyplot`` on the Agg backend, or :class:`PlottingUnavailableError`."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise PlottingUnavailableError(
            "--plot needs matplotlib: pip install 'gal-friday-persistence[plot]'"
        ) from None
    return plt


def image_formats() -> set[str]:
    """The file suffixes (without the dot) the chart can be written as."""
    require_matplotlib()
    from matplotlib.backend_bases import FigureCanvasBase

    return set(FigureCanvasBase.get_supported_filetypes())


def save_new(figure: Any, path: str | Path) -> None:
    """Write ``figure`` to ``path``, which must not exist yet (nor be a symlink).

    The file is created exclusively (``O_EXCL``): an existing file is never
    overwritten and a symlink planted at ``path`` is never followed, even when it
    appeared after the command checked the name (:func:`~gal_friday.cli.options.check_plot_target`).
    """
    target = Path(path)
    with target.open("xb") as out:
        figure.savefig(out, dpi=110, format=target.suffix.lstrip(".").lower())


def plotted_pairs(report: Performance) -> list[PairPerformance]:
    """The pairs the chart draws: those with a closed trade in the report."""
    return [pair for pair in report.pairs if pair.closed_trades]


def plot_cumulative_pnl(report: Performance, path: str | Path) -> int:
    """Draw each pair's cumulative realized PnL (by exit time), one axis per quote currency.

    Returns the number of lines drawn; nothing is written when there is none.
    """
    pairs = plotted_pairs(report)
    if not pairs:
        return 0
    plt = require_matplotlib()
    by_currency: dict[str, list[PairPerformance]] = defaultdict(list)
    for pair in pairs:
        by_currency[pair.quote].append(pair)
    figure, axes_list = plt.subplots(
        len(by_currency), 1, figsize=(9, 3.5 * len(by_currency)), sharex=True, squeeze=False
    )
    for axes, (currency, group) in zip(
        (row[0] for row in axes_list), sorted(by_currency.items()), strict=True
    ):
        for pair in group:
            _draw(axes, pair)
        axes.set_title(f"Cumulative realized PnL ({currency})")
        axes.set_ylabel(currency)
        axes.axhline(0, color="grey", linewidth=0.8)
        axes.legend(loc="best")
    figure.autofmt_xdate()
    figure.tight_layout()
    save_new(figure, path)
    plt.close(figure)
    return len(pairs)


def _draw(axes: Any, pair: PairPerformance) -> None:
    closed = pair.closed_trades  # by exit time
    running = Decimal(0)
    times: list[Any] = [min(t.entry_timestamp for t in closed)]  # each line starts at zero
    values: list[Decimal] = [running]
    with exact():
        for trade in closed:
            running += trade.realized_pnl
            times.append(trade.exit_timestamp)
            values.append(running)
    # Drawing is the one place numbers become floats: pixels, not money.
    label = f"{pair.trading_pair} ({pair.exchange})"
    axes.step(times, [float(value) for value in values], where="post", label=label)
