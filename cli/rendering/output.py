"""Terminal output of the command line: the report as rich tables, and the progress bar.

Amounts are shown with the precision their asset needs (:mod:`gal_friday.cli.rendering.amounts`).
Tables are laid out in columns when every figure fits the terminal's width, else
one small table per pair, so no figure is ever cut (``docs/reporting.md``).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from rich import box
from rich.console import Console
from rich.table import Table

from gal_friday.cli.rendering import amounts
from gal_friday.domain.enums import TradeGrouping
from gal_friday.domain.performance import CurrencyTotals, OpenPosition, PairPerformance, Performance
from gal_friday.domain.statistics import TradeStatistics

if TYPE_CHECKING:
    from gal_friday.importers import Progress as ProgressCallback

#: Measuring a table at this width gives its natural (unwrapped) width.
_UNBOUNDED = 100_000


class _Console(Console):
    """A rich console whose closed pipe is the reader's choice, as for ``click.echo``.

    rich's own handling exits 1 without a word when ``| head`` closes the pipe; here the
    same :class:`BrokenPipeError` reaches :func:`gal_friday.cli.main.run`, which ends
    the command quietly with exit 0 whatever the output format.
    """

    def on_broken_pipe(self) -> None:
        """Let the closed pipe reach the command line's one handler."""
        raise BrokenPipeError


def console() -> Console:
    """Standard output; 120 columns wide when it is not a terminal (files, pipes)."""
    return _Console() if sys.stdout.isatty() else _Console(width=120)


def plural(count: int, noun: str, plural_noun: str | None = None) -> str:
    """``1 trade``, ``2 trades``, ``0 trades``."""
    return f"{count} {noun if count == 1 else plural_noun or noun + 's'}"


def grouping_name(grouping: TradeGrouping) -> str:
    """``flat-to-flat``, ``fifo``, ``lifo``: the CLI's name of a grouping."""
    return grouping.value.lower().replace("_", "-")


def _fits(console: Console, table: Table) -> bool:
    options = console.options.update_width(_UNBOUNDED)
    return console.measure(table, options=options).maximum <= console.width


Row = tuple[str, Sequence[tuple[str, str]]]  # a title and (label, value) lines


def _print_fitting(console: Console, wide: Table, rows: Callable[[], list[Row]]) -> None:
    """``wide`` when it fits the console, else one two-column table per row."""
    if _fits(console, wide):
        console.print(wide)
        return
    if wide.title:
        console.print(wide.title, style="italic", highlight=False, overflow="fold")
    for title, lines in rows():
        console.print(title, style="bold", highlight=False, overflow="fold")
        card = Table(show_header=False, box=box.SIMPLE, pad_edge=False)
        card.add_column(overflow="fold")
        card.add_column(justify="right", overflow="fold")
        for label, value in lines:
            card.add_row(label, value)
        console.print(card)


def _title(report: Performance) -> str:
    title = "Realized PnL of closed trades"
    if report.currency is not None:
        title += f" in {report.currency}"
    groupings = report.groupings
    if len(groupings) == 1:
        title += f" ({grouping_name(groupings[0])})"
    period = [f"from {_day(report.since)}"] if report.since else []
    period += [f"before {_day(report.until)}"] if report.until else []
    if period:
        title += ", exited " + " and ".join(period)
    return title


def _day(moment: datetime) -> str:
    midnight = moment == moment.replace(hour=0, minute=0, second=0, microsecond=0)
    return moment.strftime("%Y-%m-%d" if midnight else "%Y-%m-%d %H:%M")


#: After a pair whose fees come from Kraken's trades.csv alone, explained under the table.
TRADES_CSV_MARK = "*"
TRADES_CSV_NOTE = (
    f"{TRADES_CSV_MARK} fees from trades.csv only: ledgers.csv corrects them (docs/ledgers.md)"
)


def _pair_cells(pair: PairPerformance) -> dict[str, str]:
    quote = pair.quote
    return {
        "Exchange": pair.exchange,
        "Pair": pair.trading_pair + (TRADES_CSV_MARK if pair.fees_from_trades_csv_only else ""),
        "Grouping": grouping_name(pair.grouping),
        "Trades": str(pair.trades),
        "Wins": str(pair.wins),
        "Losses": str(pair.losses),
        "PnL": amounts.amount(pair.realized_pnl, quote),
        "Fees": amounts.amount(pair.total_commission, quote),
        "PnL %": amounts.percent(pair.pnl_pct),
        "Best": amounts.amount(pair.best_trade, quote),
        "Worst": amounts.amount(pair.worst_trade, quote),
    }


def _total_cells(total: CurrencyTotals) -> dict[str, str]:
    return {
        "Exchange": "",
        "Pair": f"TOTAL {total.currency}",
        "Grouping": "",
        "Trades": str(total.trades),
        "Wins": str(total.wins),
        "Losses": str(total.losses),
        "PnL": amounts.amount(total.realized_pnl, total.currency),
        "Fees": amounts.amount(total.total_commission, total.currency),
        "PnL %": amounts.percent(total.pnl_pct),
        "Best": "",
        "Worst": "",
    }


_TEXT_COLUMNS = ("Exchange", "Pair", "Grouping", "Side", "Since", "Period", "Currency")


def _table(title: str, headers: Sequence[str]) -> Table:
    table = Table(
        title=title, box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True, show_edge=False
    )
    for header in headers:
        table.add_column(
            header, justify="left" if header in _TEXT_COLUMNS else "right", no_wrap=True
        )
    return table


def print_report(
    report: Performance, console: Console, *, statistics: bool = False, by: str | None = None
) -> None:
    """The report: closed trades per pair with a TOTAL per currency, then open trades.

    ``statistics`` adds a block of trade statistics per pair and per total; ``by`` a table
    of the closed trades per exit period.
    """
    if not report.pairs:
        console.print("No trades to report.", highlight=False)
        return
    headers = list(_pair_cells(report.pairs[0]))
    if len(report.groupings) == 1:  # stated in the title
        headers.remove("Grouping")
    table = _table(_title(report), headers)
    for pair in report.pairs:
        cells = _pair_cells(pair)
        table.add_row(*(cells[h] for h in headers))
    table.add_section()
    for total in report.totals:
        cells = _total_cells(total)
        table.add_row(*(cells[h] for h in headers), style="bold")

    def cards() -> list[Row]:
        rows: list[Row] = []
        figures = [h for h in headers if h not in _TEXT_COLUMNS]
        for pair in report.pairs:
            cells = _pair_cells(pair)
            title = f"{cells['Pair']} ({pair.exchange}, {cells['Grouping']})"
            rows.append((title, [(h, cells[h]) for h in figures]))
        for total in report.totals:
            cells = _total_cells(total)
            rows.append((f"TOTAL {total.currency}", [(h, cells[h]) for h in figures if cells[h]]))
        return rows

    _print_fitting(console, table, cards)
    if any(pair.fees_from_trades_csv_only for pair in report.pairs):
        console.print(TRADES_CSV_NOTE, highlight=False, overflow="fold")
    if report.total_trades == 0:
        console.print("No closed trades in the report.", highlight=False)
    if statistics and report.total_trades:
        _print_statistics(console, report)
    if by is not None and report.total_trades:
        _print_periods(console, report, by)
    _print_open(console, [trade for pair in report.pairs for trade in pair.open_trades])


def _open_cells(trade: OpenPosition) -> dict[str, str]:
    base, quote = trade.trading_pair.split("/", 1)
    return {
        "Exchange": trade.exchange,
        "Pair": trade.trading_pair,
        "Side": trade.side.value,
        "Held": amounts.amount(trade.quantity_held, base),
        "Avg entry": amounts.price(trade.average_entry_price, quote),
        "Realized": amounts.amount(trade.realized_pnl, quote),
        "Since": trade.entry_timestamp.strftime("%Y-%m-%d %H:%M"),
    }


def _print_open(console: Console, open_trades: list[OpenPosition]) -> None:
    if not open_trades:
        console.print("No open trades.", highlight=False)
        return
    headers = list(_open_cells(open_trades[0]))
    held = _table(f"Open trades ({plural(len(open_trades), 'trade')})", headers)
    for trade in open_trades:
        cells = _open_cells(trade)
        held.add_row(*(cells[h] for h in headers))

    def cards() -> list[Row]:
        return [
            (
                f"{t.trading_pair} ({t.exchange}), open",
                [(h, v) for h, v in _open_cells(t).items() if h not in ("Exchange", "Pair")],
            )
            for t in open_trades
        ]

    _print_fitting(console, held, cards)


def _duration(seconds: Decimal | None) -> str:
    if seconds is None:
        return "-"
    return str(timedelta(seconds=int(seconds.to_integral_value())))


def _statistics_lines(stats: TradeStatistics, currency: str) -> list[tuple[str, str]]:
    win_rate = None if stats.win_rate is None else stats.win_rate * 100
    return [
        ("win rate", "-" if win_rate is None else f"{amounts.percent(win_rate)} %"),
        ("profit factor", amounts.percent(stats.profit_factor)),
        ("expectancy", amounts.amount(stats.expectancy, currency)),
        ("payoff ratio", amounts.percent(stats.payoff_ratio)),
        ("expectancy ratio", amounts.percent(stats.expectancy_ratio)),
        ("SQN", amounts.percent(stats.sqn)),
        ("largest win", amounts.amount(stats.largest_win, currency)),
        ("largest loss", amounts.amount(stats.largest_loss, currency)),
        ("wins in a row", str(stats.max_consecutive_wins)),
        ("losses in a row", str(stats.max_consecutive_losses)),
        ("avg duration", _duration(stats.avg_duration_s)),
    ]


def _print_statistics_block(console: Console, title: str, lines: list[tuple[str, str]]) -> None:
    """Two label/value columns side by side: under 80 columns for any figure we print."""
    console.print(title, style="bold", highlight=False, overflow="fold")
    block = Table(show_header=False, box=None, pad_edge=False, padding=(0, 2))
    for justify in ("left", "right", "left", "right"):
        block.add_column(justify=justify, overflow="fold")
    half = (len(lines) + 1) // 2
    for left, right in zip(lines[:half], [*lines[half:], ("", "")], strict=True):
        block.add_row(*left, *right)
    console.print(block)


def _print_statistics(console: Console, report: Performance) -> None:
    console.print("Trade statistics (docs/analytics.md)", style="italic", highlight=False)
    by_pair = report.statistics_by_pair()
    for pair in report.pairs:
        stats = by_pair[(pair.exchange, pair.trading_pair)]
        if stats.trades:
            title = f"{pair.trading_pair} ({pair.exchange}), {plural(stats.trades, 'trade')}"
            _print_statistics_block(console, title, _statistics_lines(stats, pair.quote))
    for currency, stats in report.statistics_by_currency().items():
        if stats.trades:
            title = f"TOTAL {currency}, {plural(stats.trades, 'trade')}"
            _print_statistics_block(console, title, _statistics_lines(stats, currency))


def _print_periods(console: Console, report: Performance, by: str) -> None:
    headers = ["Period", "Currency", "Trades", "Wins", "Losses", "PnL", "Fees"]
    table = _table(f"Closed trades by exit {by} (UTC)", headers)
    rows: list[tuple[str, list[str]]] = []
    for period in report.periods(by):
        currency = period.currency
        rows.append(
            (
                "",
                [
                    period.period,
                    currency,
                    str(period.trades),
                    str(period.wins),
                    str(period.losses),
                    amounts.amount(period.realized_pnl, currency),
                    amounts.amount(period.total_commission, currency),
                ],
            )
        )
    for total in report.totals:
        cells = _total_cells(total)
        rows.append(
            (
                "bold",
                [
                    "TOTAL",
                    total.currency,
                    cells["Trades"],
                    cells["Wins"],
                    cells["Losses"],
                    cells["PnL"],
                    cells["Fees"],
                ],
            )
        )
    for index, (style, cells_) in enumerate(rows):
        if style and (index == 0 or not rows[index - 1][0]):
            table.add_section()
        table.add_row(*cells_, style=style or None)

    def cards() -> list[Row]:
        return [
            (f"{cells_[0]} {cells_[1]}", list(zip(headers[2:], cells_[2:], strict=True)))
            for _, cells_ in rows
        ]

    _print_fitting(console, table, cards)


@contextmanager
def import_progress() -> Iterator[ProgressCallback | None]:
    """A progress bar on a terminal (stderr) over the whole import: the bytes read (parsing
    and writing go together), the pairs rebuilt, the commit; nothing when output is piped."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.progress import (  # only when a bar is drawn (start-up time)
        BarColumn,
        Progress,
        TaskID,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
    )

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
