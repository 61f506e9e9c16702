"""The equity report as JSON and CSV (docs/analytics.md; the names are a fixed interface).

JSON: ``{"currency", "start_capital", "source", "opening_value", "opening_balances",
"returns": {"twr", "xirr", "xirr_tolerance"}, "flows": [...], "days": [{"date", "equity",
"realized_pnl", "unrealized_pnl", "fees", "drawdown", "flows", "income", "daily_return"}],
"statistics": {...}, "drawdowns": [{"peak", "trough", "recovery", "depth", "days"}],
"notes": {...}}``; decimals are strings, ratios fractions (-0.1234 is -12.34 %), an
undefined ratio ``null``, dates ``YYYY-MM-DD``, times ISO 8601 UTC.
CSV: one row per day with the day's columns (the notes go to stderr).
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import attrs
from attrs import AttrsInstance

from gal_friday.cli.rendering.equity_notes import note_lines
from gal_friday.domain import values as v
from gal_friday.domain.returns import XIRR_TOLERANCE
from gal_friday.services.equity import EquityReport

DAY_COLUMNS = ("date", "equity", "realized_pnl", "unrealized_pnl", "fees", "drawdown")
#: Columns added by the returns that know flows (JSON and CSV; the table in ledger mode).
FLOW_COLUMNS = ("flows", "income", "daily_return")
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
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def _record(item: AttrsInstance) -> dict[str, Any]:
    return {name: _plain(value) for name, value in attrs.asdict(item, recurse=False).items()}


def equity_document(report: EquityReport) -> dict[str, Any]:
    """The report as plain JSON-ready data."""
    columns = DAY_COLUMNS + FLOW_COLUMNS
    return {
        "currency": report.currency,
        "start_capital": _plain(report.start_capital),
        "source": report.source,
        "opening_value": _plain(report.opening_value),
        "opening_balances": {a: _plain(x) for a, x in report.opening_balances.items()},
        "returns": {
            "twr": _plain(report.twr),
            "xirr": _plain(report.xirr),
            "xirr_tolerance": format(XIRR_TOLERANCE, "e"),
        },
        "flows": [_record(flow) for flow in report.flows],
        "days": [{name: _plain(getattr(day, name)) for name in columns} for day in report.days],
        "statistics": {name: _plain(getattr(report.statistics, name)) for name in STATISTICS},
        "drawdowns": [_record(drawdown) for drawdown in report.drawdowns],
        "notes": notes_document(report),
    }


def notes_document(report: EquityReport) -> dict[str, Any]:
    """What the curve says about itself, as data, and the same as sentences."""
    return {
        "end": None if report.end is None else _record(report.end),
        "max_stale_days": report.max_stale_days,
        "stale_prices": [_record(stale) for stale in report.stale_prices],
        "negative_balances": [_record(negative) for negative in report.negative_balances],
        "undefined_returns": [day.isoformat() for day in report.undefined_returns],
        "unvalued_assets": list(report.unvalued),
        "fills_before_ledger": report.fills.before_ledger,
        "fills_not_in_ledger": report.fills.not_in_ledger,
        "messages": note_lines(report),
    }


def equity_json(report: EquityReport) -> str:
    """The JSON document (indented)."""
    return json.dumps(equity_document(report), indent=2)


def equity_csv(report: EquityReport) -> str:
    """One CSV row per day."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    columns = DAY_COLUMNS + FLOW_COLUMNS
    writer.writerow(columns)
    for day in report.days:
        writer.writerow(["" if value is None else value for value in _row(day, columns)])
    return buffer.getvalue()


def _row(day: object, columns: tuple[str, ...]) -> list[Any]:
    return [_plain(getattr(day, name)) for name in columns]
