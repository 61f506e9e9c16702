"""The equity report as rich tables (the ``table`` format of ``gal-friday equity``)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from gal_friday.cli.rendering.equity_formats import DAY_COLUMNS, equity_document
from gal_friday.services.equity import EquityReport

DRAWDOWN_COLUMNS = ("peak", "trough", "recovery", "depth", "days")


def print_equity(report: EquityReport, console: Console) -> None:
    """Days, returns, statistics, the deepest drawdowns and the notes."""
    document = equity_document(report)
    columns = DAY_COLUMNS + (("flows", "income") if report.source == "ledger" else ())
    if report.source == "ledger":
        title = f"Daily equity ({report.currency}, from the ledger)"
    else:
        title = f"Daily equity ({report.currency}, start capital {document['start_capital']})"
    days = Table(title=title)
    for name in columns:
        days.add_column(name, justify="left" if name == "date" else "right")
    for row in document["days"]:
        days.add_row(*(str(row[name]) for name in columns))
    console.print(days)
    returns = Table(title="Returns (fractions; null: undefined)")
    returns.add_column("return")
    returns.add_column("value", justify="right")
    returns.add_row("time-weighted (TWR)", _shown(document["returns"]["twr"]))
    returns.add_row("money-weighted (XIRR, a year)", _shown(document["returns"]["xirr"]))
    console.print(returns)
    statistics = Table(title="Statistics of the time-weighted daily returns (fractions)")
    statistics.add_column("statistic")
    statistics.add_column("value", justify="right")
    for name, value in document["statistics"].items():
        statistics.add_row(name, _shown(value))
    console.print(statistics)
    deepest = Table(title="Deepest drawdowns")
    for name in DRAWDOWN_COLUMNS:
        deepest.add_column(name, justify="right" if name in ("depth", "days") else "left")
    for drawdown in document["drawdowns"]:
        deepest.add_row(*(str(drawdown[name] or "open") for name in DRAWDOWN_COLUMNS))
    console.print(deepest)
    for line in document["notes"]["messages"]:
        console.print(f"note: {line}", highlight=False, markup=False)


def _shown(value: object) -> str:
    return "null" if value is None else str(value)
