"""Terminal output of the command line: the report as rich tables, and the progress bar."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    TaskID,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from gal_friday.importers import Progress as ProgressCallback
from gal_friday.services.report_formats import decimal_text
from gal_friday.services.reporting import Report


def console() -> Console:
    """Standard output; 120 columns wide when it is not a terminal (files, pipes)."""
    return Console() if sys.stdout.isatty() else Console(width=120)


def _money(value: Decimal | None, places: int = 4) -> str:
    if value is None:
        return "-"
    return decimal_text(value.quantize(Decimal(1).scaleb(-places))) or "-"


def print_report(report: Report, console: Console) -> None:
    """The report as two tables: closed trades per pair, then open trades."""
    title = "Realized PnL of closed trades"
    if report.grouping:
        title += f" ({report.grouping.value.lower().replace('_', '-')})"
    table = Table(title=title, show_footer=True)
    total_pnl = _money(report.total_realized_pnl)
    columns = [
        ("Exchange", "", "left"),
        ("Pair", "TOTAL", "left"),
        ("Trades", str(report.total_trades), "right"),
        ("Wins", str(sum(p.wins for p in report.pairs)), "right"),
        ("Losses", str(sum(p.losses for p in report.pairs)), "right"),
        ("Realized PnL", total_pnl, "right"),
        ("Fees", _money(report.total_commission), "right"),
        ("PnL %", "", "right"),
        ("Best", "", "right"),
        ("Worst", "", "right"),
    ]
    for header, footer, justify in columns:
        table.add_column(header, footer=footer, justify=justify)  # type: ignore[arg-type]
    for pair in report.pairs:
        table.add_row(
            pair.exchange,
            pair.trading_pair,
            str(pair.trades),
            str(pair.wins),
            str(pair.losses),
            _money(pair.realized_pnl),
            _money(pair.total_commission),
            _money(pair.pnl_pct, 2),
            _money(pair.best_trade),
            _money(pair.worst_trade),
        )
    console.print(table)
    open_trades = [trade for pair in report.pairs for trade in pair.open_trades]
    if not open_trades:
        console.print("No open trades.")
        return
    held = Table(title="Open trades")
    for header in ("Exchange", "Pair", "Side", "Held", "Avg entry", "Realized so far", "Since"):
        held.add_column(
            header, justify="left" if header in ("Exchange", "Pair", "Side") else "right"
        )
    for trade in open_trades:
        held.add_row(
            trade.exchange,
            trade.trading_pair,
            trade.side.value,
            decimal_text(trade.quantity_held) or "-",
            decimal_text(trade.average_entry_price) or "-",
            _money(trade.realized_pnl),
            trade.entry_timestamp.strftime("%Y-%m-%d %H:%M"),
        )
    console.print(held)


@contextmanager
def import_progress() -> Iterator[ProgressCallback | None]:
    """A progress bar on a terminal (stderr) over the whole import: the bytes read (parsing
    and writing go together), the pairs rebuilt, the commit; nothing when output is piped."""
    if not sys.stderr.isatty():
        yield None
        return
    columns = [
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
    ]
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        tasks: dict[str, TaskID] = {}

        def advance(phase: str, done: int, total: int | None) -> None:
            if phase not in tasks:  # one bar per phase; an unknown total pulses
                for shown in tasks.values():
                    bar.update(shown, visible=False)
                tasks[phase] = bar.add_task(phase, total=total)
            bar.update(tasks[phase], completed=done, total=total)

        yield advance
