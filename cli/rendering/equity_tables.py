"""The equity report as rich tables (the ``table`` format of ``gal-friday equity``)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from gal_friday.cli.rendering.equity_formats import DAY_COLUMNS, equity_document
from gal_friday.services.equity import EquityReport

DRAWDOWN_COLUMNS = ("peak", "trough", "recovery", "depth", "days")


def print_equity(report: EquityReport, console: Console) -> None:
    """Days, statistics and the deepest drawdowns, each as a table."""
    document = equity_document(report)
    days = Table(
        title=f"Daily equity ({report.currency}, start capital {document['start_capital']})"
    )
    for name in DAY_COLUMNS:
        days.add_column(name, justify="left" if name == "date" else "right")
    for row in document["days"]:
        days.add_row(*(str(row[name]) for name in DAY_COLUMNS))
    console.print(days)
    statistics = Table(title="Statistics (fractions; null: undefined)")
    statistics.add_column("statistic")
    statistics.add_column("value", justify="right")
    for name, value in document["statistics"].items():
        statistics.add_row(name, "null" if value is None else str(value))
    console.print(statistics)
    deepest = Table(title="Deepest drawdowns")
    for name in DRAWDOWN_COLUMNS:
        deepest.add_column(name, justify="right" if name in ("depth", "days") else "left")
    for drawdown in document["drawdowns"]:
        deepest.add_row(
            *(
                str(drawdown[name] or "open")
                for name in ("peak", "trough", "recovery", "depth", "days")
            )
        )
    console.print(deepest)
