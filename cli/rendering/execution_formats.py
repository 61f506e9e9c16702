"""``report --by strategy|signal|exit-reason --execution``: the groups' execution figures.

JSON (under ``"execution"``), CSV (one row per group and currency) and a terminal table;
the names are a fixed interface (docs/reporting.md, "Execution figures per group").
Amounts are in the group's quote currency; ``null``/empty when no trade has the figure.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from rich.console import Console

from gal_friday.cli.rendering import amounts
from gal_friday.cli.rendering.output import Row, _print_fitting, _table
from gal_friday.cli.rendering.report_formats import decimal_text, safe_cell
from gal_friday.domain.execution_groups import ExecutionGroup

COLUMNS = (
    "by",
    "group",
    "currency",
    "trades",
    "realized_pnl",
    "fees",
    "decomposed",
    "decomposed_realized_pnl",
    "decomposed_fees",
    "signal_edge",
    "entry_slippage",
    "exit_slippage",
    "mean_entry_slippage_bps",
    "mean_exit_slippage_bps",
    "with_excursions",
    "mae",
    "mfe",
    "mean_r_multiple",
)


def execution_dict(group: ExecutionGroup) -> dict[str, Any]:
    """One group's figures as JSON-ready data (``group`` null: unattributed)."""
    totals = group.totals
    return {
        "by": group.by,
        "group": group.group,
        "currency": group.currency,
        "trades": totals.trades,
        "realized_pnl": decimal_text(totals.realized_pnl),
        "fees": decimal_text(totals.fees),
        "decomposed": totals.decomposed,
        "decomposed_realized_pnl": decimal_text(totals.decomposed_realized_pnl),
        "decomposed_fees": decimal_text(totals.decomposed_fees),
        "signal_edge": decimal_text(totals.signal_edge),
        "entry_slippage": decimal_text(totals.entry_slippage),
        "exit_slippage": decimal_text(totals.exit_slippage),
        "mean_entry_slippage_bps": decimal_text(group.mean_entry_slippage_bps),
        "mean_exit_slippage_bps": decimal_text(group.mean_exit_slippage_bps),
        "with_excursions": group.with_excursions,
        "mae": decimal_text(group.mae),
        "mfe": decimal_text(group.mfe),
        "mean_r_multiple": decimal_text(group.mean_r_multiple),
        "missing": dict(group.missing),
    }


def with_execution(document_json: str, groups: list[ExecutionGroup]) -> str:
    """The report's JSON with ``"execution": [...]`` added."""
    document = json.loads(document_json)
    document["execution"] = [execution_dict(group) for group in groups]
    return json.dumps(document, indent=2)


def execution_csv(groups: list[ExecutionGroup]) -> str:
    """One CSV row per group and currency (the unattributed group's ``group`` cell empty)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for group in groups:
        row = execution_dict(group)
        writer.writerow([safe_cell(row[name]) for name in COLUMNS])
    return out.getvalue()


def print_execution(console: Console, groups: list[ExecutionGroup]) -> None:
    """The groups' decomposition and execution figures as a table."""
    if not groups:
        return
    headers = [
        "Group", "Currency", "Trades", "Decomposed", "Signal edge", "Entry slip.",
        "Exit slip.", "Fees", "Entry bp", "Exit bp", "MAE", "MFE", "Mean R",
    ]  # fmt: skip
    table = _table("Execution by group (docs/execution.md)", headers)
    table.columns[0].justify = "left"
    rows: list[Row] = []
    for group in groups:
        totals, currency = group.totals, group.currency
        cells = [
            group.label,
            currency,
            str(totals.trades),
            str(totals.decomposed),
            amounts.amount(totals.signal_edge, currency),
            amounts.amount(totals.entry_slippage, currency),
            amounts.amount(totals.exit_slippage, currency),
            amounts.amount(totals.decomposed_fees, currency),
            decimal_text(group.mean_entry_slippage_bps) or "-",
            decimal_text(group.mean_exit_slippage_bps) or "-",
            amounts.amount(group.mae, currency),
            amounts.amount(group.mfe, currency),
            decimal_text(group.mean_r_multiple) or "-",
        ]
        table.add_row(*cells)
        rows.append((f"{group.label} ({currency})", list(zip(headers[2:], cells[2:], strict=True))))
    _print_fitting(console, table, lambda: rows)
