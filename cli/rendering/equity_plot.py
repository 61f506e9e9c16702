"""The equity curve and its underwater (drawdown) panel, drawn to a PNG (the ``plot`` extra)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gal_friday.cli.rendering.plotting import PlottingUnavailableError, save_new
from gal_friday.services.equity import EquityReport


def pyplot() -> Any:
    """matplotlib's pyplot on the Agg backend, or :class:`PlottingUnavailableError`."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise PlottingUnavailableError(
            "--plot needs matplotlib: pip install 'gal-friday-persistence[plot]'"
        ) from None
    return plt


def plot_equity(report: EquityReport, path: str | Path) -> None:
    """Equity over the days (top) and the drawdown from the running peak in % (bottom)."""
    plt = pyplot()
    dates = [day.date for day in report.days]
    figure, (top, bottom) = plt.subplots(
        2, 1, figsize=(9, 6), sharex=True, gridspec_kw={"height_ratios": [2, 1]}
    )
    # Drawing is the one place numbers become floats: pixels, not money.
    top.plot(dates, [float(day.equity) for day in report.days], label="equity")
    if report.start_capital is not None:
        start, label = report.start_capital, "start capital"
    else:
        start, label = report.opening_value, "opening value"
    top.axhline(float(start), color="grey", linewidth=0.8, label=label)
    top.set_title(f"Equity ({report.currency}, marked to market daily)")
    top.legend(loc="best")
    underwater = [float(day.drawdown) * 100 for day in report.days]
    bottom.fill_between(dates, underwater, 0, color="tab:red", alpha=0.4, step="post")
    bottom.set_ylabel("drawdown %")
    bottom.set_title("Underwater")
    figure.autofmt_xdate()
    figure.tight_layout()
    save_new(figure, path)
    plt.close(figure)
