"""The report's tables of attribution groups and of everything realized, for the terminal.

``--by strategy|signal|exit-reason`` (closed trades per group and currency, with a TOTAL
per currency that equals the report's) and the realized PnL per currency: the closed
trades', what open trades realized through partial exits, the ledger's margin rows that no
margin fill carries, and the sum (docs/reporting.md).
"""

from __future__ import annotations

from rich.console import Console

from gal_friday.cli.rendering import amounts
from gal_friday.cli.rendering.output import Row, _print_fitting, _table
from gal_friday.domain.performance import Performance, RealizedTotals

_GROUP_TITLES = {"strategy": "strategy", "signal": "signal", "exit-reason": "exit reason"}


def print_groups(console: Console, report: Performance, by: str) -> None:
    """The closed trades per ``by`` group and currency, then a TOTAL row per currency."""
    if not report.total_trades:
        return
    headers = ["Group", "Currency", "Trades", "Wins", "Losses", "PnL", "Fees"]
    table = _table(f"Closed trades by {_GROUP_TITLES[by]}", headers)
    table.columns[0].justify = "left"
    rows: list[tuple[str, list[str]]] = []
    for group in report.groups(by):
        currency = group.currency
        cells = [
            group.label,
            currency,
            str(group.trades),
            str(group.wins),
            str(group.losses),
            amounts.amount(group.realized_pnl, currency),
            amounts.amount(group.total_commission, currency),
        ]
        rows.append(("", cells))
    for total in report.totals:
        cells = [
            "TOTAL",
            total.currency,
            str(total.trades),
            str(total.wins),
            str(total.losses),
            amounts.amount(total.realized_pnl, total.currency),
            amounts.amount(total.total_commission, total.currency),
        ]
        rows.append(("bold", cells))
    for index, (style, cells) in enumerate(rows):
        if style and (index == 0 or not rows[index - 1][0]):
            table.add_section()
        table.add_row(*cells, style=style or None)

    def cards() -> list[Row]:
        return [
            (f"{cells[0]} {cells[1]}", list(zip(headers[2:], cells[2:], strict=True)))
            for _, cells in rows
        ]

    _print_fitting(console, table, cards)


#: The column of the ledger's margin rows that no margin fill carries.
LEDGER_MARGIN = "Margin settled in the ledger (no trades.csv)"


def print_realized(console: Console, report: Performance) -> None:
    """Per currency: the closed trades' PnL, what open trades realized, and both together.

    Printed whenever the report lists an open trade or the ledger holds margin rows no
    margin fill carries, so that no realized PnL is left out of a total; those rows get
    a column and a line "margin settled in the ledger (no trades.csv)" per currency.
    """
    rows = [row for row in report.realized_totals if row.open_trades or row.ledger_margin]
    if not rows:
        return
    margin = any(row.ledger_margin for row in rows)
    headers = ["Currency", "Closed trades", "Open trades"]
    headers += [LEDGER_MARGIN] if margin else []
    headers += ["All realized"]
    table = _table("Realized PnL per currency, open trades included", headers)
    table.columns[0].justify = "left"

    def figures(row: RealizedTotals) -> list[tuple[str, str]]:
        shown = [
            ("Closed trades", amounts.amount(row.closed_realized_pnl, row.currency)),
            ("Open trades", amounts.amount(row.open_realized_pnl, row.currency)),
        ]
        if margin:
            shown.append((LEDGER_MARGIN, amounts.amount(row.ledger_margin, row.currency)))
        return [*shown, ("All realized", amounts.amount(row.realized_pnl, row.currency))]

    for row in rows:
        table.add_row(row.currency, *(text for _, text in figures(row)))

    def cards() -> list[Row]:
        return [(row.currency, figures(row)) for row in rows]

    _print_fitting(console, table, cards)
    for row in rows:
        if row.ledger_margin:
            console.print(
                f"{row.currency}: margin settled in the ledger (no trades.csv) "
                f"{amounts.amount(row.ledger_margin, row.currency)} {row.currency}, "
                'in the realized total (docs/ledgers.md, "Margin")',
                soft_wrap=True,
                markup=False,
            )
