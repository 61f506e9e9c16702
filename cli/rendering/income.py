"""Output of ``gal-friday income``: a table, JSON or CSV (shapes in docs/income.md).

JSON and CSV carry exact decimals as plain strings; the table rounds per asset
(:mod:`gal_friday.cli.rendering.amounts`). Values are in the reporting currency, empty
(``null``) without ``--currency`` or where a price is missing.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from typing import Any

from rich.console import Console
from rich.table import Table

from gal_friday.cli.rendering import amounts
from gal_friday.cli.rendering.output import plural
from gal_friday.cli.rendering.report_formats import decimal_text, safe_cell
from gal_friday.domain.income import IncomeLine, IncomeSummary

CSV_COLUMNS = [
    "exchange",
    "asset",
    "priced_as",
    "type",
    "subtype",
    "rows",
    "amount",
    "fee",
    "net",
    "value",
    "currency",
    "first",
    "last",
]


def _time(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _line(line: IncomeLine, currency: str | None) -> dict[str, Any]:
    return {
        "exchange": line.exchange,
        "asset": line.asset,
        "priced_as": line.priced_as,
        "type": line.type,
        "subtype": line.subtype,
        "rows": line.rows,
        "amount": decimal_text(line.amount),
        "fee": decimal_text(line.fee),
        "net": decimal_text(line.net),
        "value": decimal_text(line.value),
        "currency": currency,
        "first": _time(line.first),
        "last": _time(line.last),
    }


def income_dict(summary: IncomeSummary) -> dict[str, Any]:
    """``{"since", "until", "currency", "lines", "by_asset", "rows", "total_value",
    "missing_prices"}``."""
    return {
        "since": _time(summary.since),
        "until": _time(summary.until),
        "currency": summary.currency,
        "lines": [_line(line, summary.currency) for line in summary.lines],
        "by_asset": {asset: decimal_text(net) for asset, net in summary.amounts_by_asset().items()},
        "rows": summary.rows,
        "total_value": decimal_text(summary.total_value),
        "missing_prices": [
            {
                "asset": missing.asset,
                "priced_as": missing.priced_as,
                "day": missing.day.isoformat(),
                "reason": missing.reason,
            }
            for missing in summary.missing_prices
        ],
    }


def income_json(summary: IncomeSummary) -> str:
    """The income as indented JSON."""
    return json.dumps(income_dict(summary), indent=2)


def income_csv(summary: IncomeSummary) -> str:
    """One row per line (exchange, asset, type, subtype), then a TOTAL row with the value."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for line in summary.lines:
        row = _line(line, summary.currency)
        writer.writerow([safe_cell(row[column]) for column in CSV_COLUMNS])
    total: dict[str, object] = dict.fromkeys(CSV_COLUMNS)
    total.update(
        exchange="TOTAL",
        rows=summary.rows,
        value=decimal_text(summary.total_value),
        currency=summary.currency,
    )
    writer.writerow([safe_cell(total[column]) for column in CSV_COLUMNS])
    return out.getvalue()


def print_income(summary: IncomeSummary, console: Console) -> None:
    """A table per line, the total in the currency, and each missing price named."""
    currency = summary.currency
    table = Table(title="Income from the ledger" + (f" in {currency}" if currency else ""))
    headers = ["Asset", "Type", "Subtype", "Rows", "Net amount"]
    headers += [f"Value {currency}"] if currency else []
    for header in headers:
        justify = "left" if header in ("Asset", "Type", "Subtype") else "right"
        table.add_column(header, justify=justify)  # type: ignore[arg-type]
    for line in summary.lines:
        cells = [line.asset, line.type, line.subtype or "-", str(line.rows)]
        cells.append(amounts.amount(line.net, line.asset))
        if currency:
            cells.append(amounts.amount(line.value, currency) if line.value is not None else "?")
        table.add_row(*cells)
    console.print(table)
    if not summary.lines:
        console.print(
            "no income rows (staking, earn rewards, airdrops, bonuses) in the ledger",
            soft_wrap=True,
        )
        return
    for missing in summary.missing_prices:
        priced = f" (priced as {missing.priced_as})" if missing.priced_as != missing.asset else ""
        console.print(f"{missing.asset}{priced}: {missing.reason}", soft_wrap=True)
    if currency is None:
        return
    total = summary.total_value
    if total is None:
        console.print(
            f"total in {currency}: not known, {plural(len(summary.missing_prices), 'asset day')}"
            " without a price",
            soft_wrap=True,
        )
    else:
        console.print(f"total in {currency}: {amounts.amount(total, currency)}", soft_wrap=True)
