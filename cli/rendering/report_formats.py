"""The report as JSON or CSV text: exact decimals as plain strings, never floats.

Shapes, totals per quote currency, the ``pnl_pct`` rounding, the statistics, the
periods and the CSV cell neutralising are described in ``docs/reporting.md``.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from gal_friday.domain.attribution_groups import GROUPS, GroupTotals
from gal_friday.domain.performance import (
    CurrencyTotals,
    PairPerformance,
    Performance,
    RealizedTotals,
    quote_currency,
)
from gal_friday.domain.periods import PeriodTotals
from gal_friday.domain.statistics import TradeStatistics
from gal_friday.domain.values import EXACT_CONTEXT, tidy

#: Decimal places of ``pnl_pct`` in JSON and CSV (half-even); the table shows 2.
PCT_PLACES = 6


def decimal_text(value: Decimal | None) -> str | None:
    """``Decimal`` as a plain string without exponent (``0.000001``, not ``1E-6``)."""
    return None if value is None else format(value, "f")


def pct_text(value: Decimal | None) -> str | None:
    """A percentage rounded half-even to :data:`PCT_PLACES` places, trailing zeros dropped."""
    if value is None:
        return None
    return decimal_text(tidy(EXACT_CONTEXT.quantize(value, Decimal(1).scaleb(-PCT_PLACES))))


def _time(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _pair(pair: PairPerformance) -> dict[str, Any]:
    return {
        "exchange": pair.exchange,
        "trading_pair": pair.trading_pair,
        "quote_currency": quote_currency(pair.trading_pair),
        "grouping": pair.grouping.value,
        "fees_from_trades_csv_only": pair.fees_from_trades_csv_only,
        "trades": pair.trades,
        "wins": pair.wins,
        "losses": pair.losses,
        "realized_pnl": decimal_text(pair.realized_pnl),
        "total_commission": decimal_text(pair.total_commission),
        "pnl_pct": pct_text(pair.pnl_pct),
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
        "open_realized_pnl": decimal_text(pair.open_realized_pnl),
    }


def _total(total: CurrencyTotals, realized: RealizedTotals | None = None) -> dict[str, Any]:
    """A currency's total; with ``realized``, what its open trades realized and the sum."""
    extra = {}
    if realized is not None:
        extra = {
            "open_realized_pnl": decimal_text(realized.open_realized_pnl),
            "ledger_margin": decimal_text(realized.ledger_margin),
            "all_realized_pnl": decimal_text(realized.realized_pnl),
        }
    return {
        "pairs": total.pairs,
        "trades": total.trades,
        "wins": total.wins,
        "losses": total.losses,
        "realized_pnl": decimal_text(total.realized_pnl),
        "total_commission": decimal_text(total.total_commission),
        "pnl_pct": pct_text(total.pnl_pct),
        "open_trades": total.open_trades,
        **extra,
    }


def realized_dict(row: RealizedTotals) -> dict[str, Any]:
    """Everything realized in one currency: by closed trades, by open ones, by the ledger's
    margin rows without a margin fill (``ledger_margin``), in all."""
    return {
        "closed_realized_pnl": decimal_text(row.closed_realized_pnl),
        "open_realized_pnl": decimal_text(row.open_realized_pnl),
        "ledger_margin": decimal_text(row.ledger_margin),
        "realized_pnl": decimal_text(row.realized_pnl),
        "open_trades": row.open_trades,
    }


#: The figures of a group row (``--by strategy|signal|exit-reason``), in JSON and CSV.
GROUP_COLUMNS = [
    "by",
    "group",
    "attributed",
    "currency",
    "trades",
    "wins",
    "losses",
    "realized_pnl",
    "total_commission",
]


def group_dict(row: GroupTotals) -> dict[str, Any]:
    """One group of one currency as JSON-ready data (``group`` null: unattributed)."""
    return {
        "by": row.by,
        "group": row.group,
        "attributed": row.group is not None,
        "currency": row.currency,
        "trades": row.trades,
        "wins": row.wins,
        "losses": row.losses,
        "realized_pnl": decimal_text(row.realized_pnl),
        "total_commission": decimal_text(row.total_commission),
    }


#: The trade statistics each pair and each currency total gets with ``--statistics``.
STATISTICS = [
    "win_rate",
    "profit_factor",
    "expectancy",
    "payoff_ratio",
    "expectancy_ratio",
    "sqn",
    "largest_win",
    "largest_loss",
    "max_consecutive_wins",
    "max_consecutive_losses",
    "avg_duration_s",
]


def statistics_dict(stats: TradeStatistics) -> dict[str, Any]:
    """The :data:`STATISTICS` of ``stats``: decimals as strings, counts as integers."""
    values: dict[str, Any] = {}
    for name in STATISTICS:
        value = getattr(stats, name)
        values[name] = decimal_text(value) if isinstance(value, Decimal) else value
    return values


#: The figures of a period row (``--by``), in JSON and CSV.
PERIOD_COLUMNS = [
    "period",
    "start",
    "currency",
    "trades",
    "wins",
    "losses",
    "realized_pnl",
    "total_commission",
]


def period_dict(row: PeriodTotals) -> dict[str, Any]:
    """One period of one currency as JSON-ready data."""
    return {
        "period": row.period,
        "start": row.start.isoformat(),
        "currency": row.currency,
        "trades": row.trades,
        "wins": row.wins,
        "losses": row.losses,
        "realized_pnl": decimal_text(row.realized_pnl),
        "total_commission": decimal_text(row.total_commission),
    }


def report_dict(
    report: Performance, *, statistics: bool = False, by: str | None = None
) -> dict[str, Any]:
    """The report as JSON-ready data; amounts are totalled per currency only.

    ``statistics`` adds each pair's and each total's trade statistics; ``by`` adds the
    closed trades totalled per exit period (``day``, ``week``, ``month``, ``year``) or
    per group (``strategy``, ``signal``, ``exit-reason``). ``realized`` puts, per currency,
    what open trades realized beside the closed trades' PnL, and ``ledger_margin``: the
    ledger's margin rows that no margin fill carries (docs/ledgers.md, "Margin").
    """
    data: dict[str, Any] = {"since": _time(report.since), "until": _time(report.until)}
    if report.currency is not None:
        data["currency"] = report.currency
    pairs = [_pair(pair) for pair in report.pairs]
    realized = {row.currency: row for row in report.realized_totals}
    totals = {
        total.currency: _total(total, realized.get(total.currency)) for total in report.totals
    }
    if statistics:
        by_pair = report.statistics_by_pair()
        for row, pair in zip(pairs, report.pairs, strict=True):
            row["statistics"] = statistics_dict(by_pair[(pair.exchange, pair.trading_pair)])
        for currency, stats in report.statistics_by_currency().items():
            totals[currency]["statistics"] = statistics_dict(stats)
    data.update(pairs=pairs, total_trades=report.total_trades, totals=totals)
    data["realized"] = {currency: realized_dict(row) for currency, row in realized.items()}
    if by in GROUPS:
        data["by"] = by
        data["groups"] = [group_dict(row) for row in report.groups(by)]
    elif by is not None:
        data["by"] = by
        data["periods"] = [period_dict(row) for row in report.periods(by)]
    return data


def report_json(report: Performance, *, statistics: bool = False, by: str | None = None) -> str:
    """The report as indented JSON."""
    return json.dumps(report_dict(report, statistics=statistics, by=by), indent=2)


CSV_COLUMNS = [
    "exchange",
    "trading_pair",
    "quote_currency",
    "grouping",
    "trades",
    "wins",
    "losses",
    "realized_pnl",
    "total_commission",
    "pnl_pct",
    "best_trade",
    "worst_trade",
    "open_trades",
    "fees_from_trades_csv_only",
    "open_realized_pnl",
    "ledger_margin",
    "all_realized_pnl",
]

#: A cell a spreadsheet would evaluate starts with one of these (OWASP, CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")


def safe_cell(value: object) -> object:
    """``value``, or a text that starts like a formula with a ``'`` in front.

    Numbers (``-12.5``) stay numbers; ``None`` is an empty cell.
    """
    if value is None:
        return ""
    if not isinstance(value, str) or not value.startswith(_FORMULA_START):
        return value
    return value if _NUMBER.fullmatch(value) else "'" + value


def _csv_row(values: Sequence[object]) -> list[object]:
    return [safe_cell(value) for value in values]


def report_csv(report: Performance, *, statistics: bool = False) -> str:
    """One CSV row per pair, then a TOTAL row per currency.

    ``open_realized_pnl`` is what a pair's (a currency's) open trades realized so far, in
    the pair's quote; ``all_realized_pnl`` adds it to the closed trades' PnL (empty where
    the closed amounts were converted to another currency). A currency whose only
    realized PnL is in open trades of a converted report gets a TOTAL row of its own.
    ``ledger_margin`` (TOTAL rows) is what the ledger's margin rows without a margin fill
    realized (docs/ledgers.md, "Margin"), included in ``all_realized_pnl``.
    ``statistics`` appends the :data:`STATISTICS` columns; a converted report (one
    reporting currency) appends a ``currency`` column naming it.
    """
    columns = CSV_COLUMNS + (STATISTICS if statistics else [])
    columns += ["currency"] if report.currency is not None else []
    by_pair = report.statistics_by_pair() if statistics else {}
    by_currency = report.statistics_by_currency() if statistics else {}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for pair in report.pairs:
        row = _pair(pair)
        row["open_trades"] = len(pair.open_trades)
        row["fees_from_trades_csv_only"] = str(pair.fees_from_trades_csv_only).lower()
        row["currency"] = pair.quote
        row["ledger_margin"] = ""  # a currency's figure, on its TOTAL row
        same_currency = pair.quote == quote_currency(pair.trading_pair)
        row["all_realized_pnl"] = (
            decimal_text(tidy(EXACT_CONTEXT.add(pair.realized_pnl, pair.open_realized_pnl)))
            if same_currency
            else ""
        )
        if statistics:
            row.update(statistics_dict(by_pair[(pair.exchange, pair.trading_pair)]))
        writer.writerow(_csv_row([row[c] for c in columns]))
    realized = {row.currency: row for row in report.realized_totals}
    for total in report.totals:
        row = {
            **_total(total, realized.pop(total.currency, None)),
            "exchange": "",
            "trading_pair": "TOTAL",
            "quote_currency": total.currency,
            "grouping": "",
            "fees_from_trades_csv_only": "",
            "best_trade": "",
            "worst_trade": "",
            "currency": total.currency,
        }
        if statistics:
            row.update(statistics_dict(by_currency[total.currency]))
        writer.writerow(_csv_row([row.get(c, "") for c in columns]))
    for rest in realized.values():  # realized by open trades or ledger margin only
        row = {
            "trading_pair": "TOTAL",
            "quote_currency": rest.currency,
            "open_trades": rest.open_trades,
            "open_realized_pnl": decimal_text(rest.open_realized_pnl),
            "ledger_margin": decimal_text(rest.ledger_margin),
            "all_realized_pnl": decimal_text(rest.realized_pnl),
            "currency": rest.currency,
        }
        writer.writerow(_csv_row([row.get(c, "") for c in columns]))
    return out.getvalue()


def groups_csv(report: Performance, by: str) -> str:
    """``--by strategy|signal|exit-reason`` as CSV: one row per group and currency (the
    unattributed group's ``group`` cell empty, ``attributed`` false), then a TOTAL row per
    currency."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(GROUP_COLUMNS)
    for group in report.groups(by):
        row = group_dict(group)
        row["attributed"] = str(row["attributed"]).lower()
        writer.writerow(_csv_row([row[c] for c in GROUP_COLUMNS]))
    for total in report.totals:
        row = {**_total(total), "by": by, "group": "TOTAL", "attributed": ""}
        row["currency"] = total.currency
        writer.writerow(_csv_row([row[c] for c in GROUP_COLUMNS]))
    return out.getvalue()


def periods_csv(report: Performance, by: str) -> str:
    """``--by`` as CSV: one row per period and currency, then a TOTAL row per currency."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(PERIOD_COLUMNS)
    for period in report.periods(by):
        row = period_dict(period)
        writer.writerow(_csv_row([row[c] for c in PERIOD_COLUMNS]))
    for total in report.totals:
        row = {**_total(total), "period": "TOTAL", "start": "", "currency": total.currency}
        writer.writerow(_csv_row([row[c] for c in PERIOD_COLUMNS]))
    return out.getvalue()
