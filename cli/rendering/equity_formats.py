"""The equity report as JSON and CSV (docs/analytics.md; the names are a fixed interface).

JSON: ``{"currency", "start_capital", "days": [{"date", "equity", "realized_pnl",
"unrealized_pnl", "fees", "drawdown"}], "statistics": {...}, "drawdowns": [{"peak",
"trough", "recovery", "depth", "days"}]}``; decimals are strings, ratios fractions
(-0.1234 is -12.34 %), an undefined ratio ``null``, dates ``YYYY-MM-DD``.
CSV: one row per day with the day's columns.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from decimal import Decimal
from typing import Any

import attrs

from gal_friday.domain import values as v
from gal_friday.services.equity import EquityReport

DAY_COLUMNS = ("date", "equity", "realized_pnl", "unrealized_pnl", "fees", "drawdown")
STATISTICS = (
    "total_return",
    "cagr",
    "volatility",
    "sharpe",
    "sortino",
    "max_drawdown",
    "calmar",
    "longest_drawdown_days",
    "best_day",
    "worst_day",
)


def _plain(value: object) -> Any:
    if isinstance(value, Decimal):
        return format(v.tidy(value), "f")
    if isinstance(value, date):
        return value.isoformat()
    return value


def equity_document(report: EquityReport) -> dict[str, Any]:
    """The report as plain JSON-ready data."""
    return {
        "currency": report.currency,
        "start_capital": _plain(report.start_capital),
        "days": [{name: _plain(getattr(day, name)) for name in DAY_COLUMNS} for day in report.days],
        "statistics": {name: _plain(getattr(report.statistics, name)) for name in STATISTICS},
        "drawdowns": [
            {name: _plain(value) for name, value in attrs.asdict(drawdown).items()}
            for drawdown in report.drawdowns
        ],
    }


def equity_json(report: EquityReport) -> str:
    """The JSON document (indented)."""
    return json.dumps(equity_document(report), indent=2)


def equity_csv(report: EquityReport) -> str:
    """One CSV row per day."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(DAY_COLUMNS)
    for day in report.days:
        writer.writerow([_plain(getattr(day, name)) for name in DAY_COLUMNS])
    return buffer.getvalue()
