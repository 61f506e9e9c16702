"""Positions, balances and risk figures as tables, JSON and CSV (docs/reads.md).

JSON and CSV carry exact decimals as strings (no exponent) and times as ISO 8601 UTC;
the names are a fixed interface. Tables round for the eye (:mod:`.amounts`).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from rich.console import Console
from rich.table import Table

from gal_friday.cli.rendering import amounts
from gal_friday.cli.rendering.report_formats import decimal_text, safe_cell
from gal_friday.domain.positions import Holding, Position
from gal_friday.services.risk import RealizedPnl, RiskFigures

POSITION_COLUMNS = (
    "exchange",
    "trading_pair",
    "side",
    "quantity",
    "average_entry_price",
    "realized_pnl",
    "opened_at",
    "open_trades",
    "mark_price",
    "unrealized_pnl",
    "market_value",
)
BALANCE_COLUMNS = ("exchange", "asset", "amount")


def _plain(value: object) -> Any:
    if isinstance(value, Decimal):
        return decimal_text(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def position_dict(position: Position) -> dict[str, Any]:
    """One position as plain JSON-ready data (:data:`POSITION_COLUMNS`)."""
    values = {
        "exchange": position.exchange,
        "trading_pair": position.trading_pair,
        "side": position.side.value,
        "quantity": position.quantity,
        "average_entry_price": position.average_entry_price,
        "realized_pnl": position.realized_pnl,
        "opened_at": position.opened_at,
        "open_trades": position.open_trades,
        "mark_price": position.mark_price,
        "unrealized_pnl": position.unrealized_pnl,
        "market_value": position.market_value,
    }
    return {name: _plain(values[name]) for name in POSITION_COLUMNS}


def balance_dict(holding: Holding) -> dict[str, Any]:
    """One holding as plain JSON-ready data."""
    return {"exchange": holding.exchange, "asset": holding.asset, "amount": _plain(holding.amount)}


def _csv(columns: Sequence[str], rows: Iterable[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([safe_cell(row[name]) for name in columns])
    return out.getvalue()


def positions_json(positions: Sequence[Position]) -> str:
    """``{"positions": [...]}``."""
    return json.dumps({"positions": [position_dict(p) for p in positions]}, indent=2)


def positions_csv(positions: Sequence[Position]) -> str:
    """One row per position."""
    return _csv(POSITION_COLUMNS, (position_dict(p) for p in positions))


def balances_json(holdings: Sequence[Holding]) -> str:
    """``{"balances": [...]}``."""
    return json.dumps({"balances": [balance_dict(h) for h in holdings]}, indent=2)


def balances_csv(holdings: Sequence[Holding]) -> str:
    """One row per exchange and asset."""
    return _csv(BALANCE_COLUMNS, (balance_dict(h) for h in holdings))


def print_positions(positions: Sequence[Position], console: Console) -> None:
    """The positions as a table."""
    table = Table(title="Open positions")
    for name in ("exchange", "pair", "side", "quantity", "avg entry", "realized", "opened"):
        table.add_column(name, justify="right" if name in {"quantity", "avg entry"} else "left")
    table.add_column("mark", justify="right")
    table.add_column("unrealized", justify="right")
    for p in positions:
        base, quote = p.trading_pair.split("/")
        table.add_row(
            p.exchange,
            p.trading_pair,
            p.side.value,
            amounts.amount(p.quantity, base),
            amounts.price(p.average_entry_price, quote),
            amounts.amount(p.realized_pnl, quote),
            p.opened_at.strftime("%Y-%m-%d %H:%M"),
            amounts.price(p.mark_price, quote) if p.mark_price is not None else "-",
            amounts.amount(p.unrealized_pnl, quote) if p.unrealized_pnl is not None else "-",
        )
    console.print(table)


def print_balances(holdings: Sequence[Holding], console: Console) -> None:
    """The holdings as a table."""
    table = Table(title="Balances")
    table.add_column("exchange")
    table.add_column("asset")
    table.add_column("amount", justify="right")
    for h in holdings:
        table.add_row(h.exchange, h.asset, amounts.amount(h.amount, h.asset))
    console.print(table)


def _window(window: RealizedPnl) -> dict[str, Any]:
    return {
        "since": _plain(window.since),
        "until": _plain(window.until),
        "trades": window.trades,
        "by_quote": {quote: _plain(pnl) for quote, pnl in window.by_quote.items()},
    }


def risk_dict(figures: RiskFigures) -> dict[str, Any]:
    """The risk figures as plain JSON-ready data."""
    streak = figures.streak
    exposure = figures.exposure
    drawdowns = figures.drawdowns
    return {
        "at": _plain(figures.at),
        "reset_hour": figures.schedule.reset_hour,
        "week_start": ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[
            figures.schedule.week_start
        ],
        "realized_pnl": {
            "day": _window(figures.day),
            "week": _window(figures.week),
            "month": _window(figures.month),
        },
        "streak": {
            "kind": streak.kind.value,
            "length": streak.length,
            "since": _plain(streak.since),
            "last_exit": _plain(streak.last_exit),
            "pnl": {quote: _plain(pnl) for quote, pnl in streak.pnl.items()},
        },
        "exposure": {
            "pairs": [
                {
                    "exchange": pair.exchange,
                    "trading_pair": pair.trading_pair,
                    "quantity": _plain(pair.signed_quantity),
                    "mark_price": _plain(pair.mark_price),
                    "value": _plain(pair.value),
                }
                for pair in exposure.pairs
            ],
            "totals": {quote: _plain(value) for quote, value in exposure.totals.items()},
            "unmarked": list(exposure.unmarked),
        },
        "drawdowns": None
        if drawdowns is None
        else {
            "daily_pct": _plain(drawdowns.daily_pct),
            "weekly_pct": _plain(drawdowns.weekly_pct),
            "snapshots": drawdowns.snapshots,
        },
    }


def risk_json(figures: RiskFigures) -> str:
    """The risk figures as JSON (:func:`risk_dict`)."""
    return json.dumps(risk_dict(figures), indent=2)


RISK_CSV_COLUMNS = ("figure", "key", "currency", "value")


def _risk_rows(figures: RiskFigures) -> list[tuple[str, str, str, object]]:
    rows: list[tuple[str, str, str, object]] = []
    for name, window in (("day", figures.day), ("week", figures.week), ("month", figures.month)):
        rows.append((f"realized_pnl_{name}", "trades", "", window.trades))
        for quote, pnl in window.by_quote.items():
            rows.append((f"realized_pnl_{name}", "pnl", quote, _plain(pnl)))
    streak = figures.streak
    rows.append(("streak", streak.kind.value, "", streak.length))
    for quote, pnl in streak.pnl.items():
        rows.append(("streak", "pnl", quote, _plain(pnl)))
    for pair in figures.exposure.pairs:
        quote = pair.trading_pair.split("/")[1]
        rows.append(("exposure", f"{pair.exchange} {pair.trading_pair}", quote, _plain(pair.value)))
    for quote, value in figures.exposure.totals.items():
        rows.append(("exposure", "total", quote, _plain(value)))
    for pair_name in figures.exposure.unmarked:
        rows.append(("exposure", f"{pair_name} (no mark)", "", ""))
    if figures.drawdowns is not None:
        rows.append(("drawdown_pct", "daily", "", _plain(figures.drawdowns.daily_pct)))
        rows.append(("drawdown_pct", "weekly", "", _plain(figures.drawdowns.weekly_pct)))
    return rows


def risk_csv(figures: RiskFigures) -> str:
    """One row per figure: ``figure,key,currency,value``."""
    return _csv(
        RISK_CSV_COLUMNS,
        (dict(zip(RISK_CSV_COLUMNS, row, strict=True)) for row in _risk_rows(figures)),
    )


def print_risk(figures: RiskFigures, console: Console) -> None:
    """The risk figures as a table."""
    table = Table(
        title=f"Risk figures at {figures.at:%Y-%m-%d %H:%M} UTC "
        f"(days from {figures.schedule.describe()})"
    )
    table.add_column("figure")
    table.add_column("value", justify="right")
    for name, window in (("day", figures.day), ("week", figures.week), ("month", figures.month)):
        pnl = ", ".join(
            f"{amounts.amount(value, quote)} {quote}" for quote, value in window.by_quote.items()
        )
        since = window.since.strftime("%Y-%m-%d %H:%M") if window.since else ""
        table.add_row(
            f"realized PnL this {name} (from {since})",
            f"{pnl or '0'} ({window.trades} trades)",
        )
    streak = figures.streak
    table.add_row("current streak", f"{streak.length} {streak.kind.value.lower()}")
    for pair in figures.exposure.pairs:
        quote = pair.trading_pair.split("/")[1]
        table.add_row(
            f"exposure {pair.exchange} {pair.trading_pair}",
            f"{amounts.amount(pair.value, quote)} {quote}",
        )
    for quote, value in figures.exposure.totals.items():
        table.add_row(f"exposure total ({quote})", f"{amounts.amount(value, quote)} {quote}")
    for pair_name in figures.exposure.unmarked:
        table.add_row(f"exposure {pair_name}", "no --mark given")
    if figures.drawdowns is not None:
        table.add_row("drawdown today", amounts.percent(figures.drawdowns.daily_pct))
        table.add_row("drawdown this week", amounts.percent(figures.drawdowns.weekly_pct))
    console.print(table)
