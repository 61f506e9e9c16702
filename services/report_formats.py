"""The report as JSON or CSV text (decimals as plain strings, never floats)."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from decimal import Decimal
from typing import Any

from gal_friday.services.reporting import PairReport, Report


def decimal_text(value: Decimal | None) -> str | None:
    """``Decimal`` as a plain string without exponent (``0.000001``, not ``1E-6``)."""
    return None if value is None else format(value, "f")


def _time(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _pair(pair: PairReport) -> dict[str, Any]:
    return {
        "exchange": pair.exchange,
        "trading_pair": pair.trading_pair,
        "trades": pair.trades,
        "wins": pair.wins,
        "losses": pair.losses,
        "realized_pnl": decimal_text(pair.realized_pnl),
        "total_commission": decimal_text(pair.total_commission),
        "pnl_pct": decimal_text(pair.pnl_pct),
        "best_trade": decimal_text(pair.best_trade),
        "worst_trade": decimal_text(pair.worst_trade),
        "open_trades": [
            {
                "side": open_trade.side.value,
                "quantity_held": decimal_text(open_trade.quantity_held),
                "average_entry_price": decimal_text(open_trade.average_entry_price),
                "realized_pnl": decimal_text(open_trade.realized_pnl),
                "entry_timestamp": _time(open_trade.entry_timestamp),
            }
            for open_trade in pair.open_trades
        ],
    }


def report_dict(report: Report) -> dict[str, Any]:
    """The report as JSON-ready data."""
    return {
        "grouping": report.grouping.value if report.grouping else None,
        "since": _time(report.since),
        "until": _time(report.until),
        "pairs": [_pair(pair) for pair in report.pairs],
        "total_trades": report.total_trades,
        "total_realized_pnl": decimal_text(report.total_realized_pnl),
        "total_commission": decimal_text(report.total_commission),
    }


def report_json(report: Report) -> str:
    """The report as indented JSON."""
    return json.dumps(report_dict(report), indent=2)


CSV_COLUMNS = [
    "exchange",
    "trading_pair",
    "trades",
    "wins",
    "losses",
    "realized_pnl",
    "total_commission",
    "pnl_pct",
    "best_trade",
    "worst_trade",
    "open_trades",
]


def report_csv(report: Report) -> str:
    """One CSV row per pair and a TOTAL row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for pair in report.pairs:
        row = _pair(pair)
        row["open_trades"] = len(pair.open_trades)
        writer.writerow(["" if row[c] is None else row[c] for c in CSV_COLUMNS])
    writer.writerow(
        [
            "",
            "TOTAL",
            report.total_trades,
            "",
            "",
            decimal_text(report.total_realized_pnl),
            decimal_text(report.total_commission),
            "",
            "",
            "",
            sum(len(p.open_trades) for p in report.pairs),
        ]
    )
    return out.getvalue()
