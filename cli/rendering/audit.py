"""Terminal and JSON output of ``gal-friday audit``."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console
from rich.table import Table

from gal_friday.cli.rendering.report_formats import decimal_text
from gal_friday.services.audit import AuditResult


def _time(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value is not None else "-"


def audit_json(result: AuditResult) -> str:
    """``{"balanced", "assets": [...], "fill_mismatches": [...], ...}``; decimals are strings."""
    document = {
        "balanced": result.balanced,
        "assets": [
            {
                "exchange": asset.exchange,
                "asset": asset.asset,
                "opening_balance": decimal_text(asset.opening),
                "closing_balance": decimal_text(asset.closing),
                "entries": asset.entries,
                "divergences": asset.divergences,
                "first_divergence": None
                if asset.first_divergence is None
                else {
                    "time": asset.first_divergence.time.isoformat(),
                    "refid": asset.first_divergence.refid,
                    "txid": asset.first_divergence.txid,
                    "expected": decimal_text(asset.first_divergence.expected),
                    "found": decimal_text(asset.first_divergence.found),
                },
            }
            for asset in result.assets
        ],
        "fills_checked": result.fills_checked,
        "fill_mismatches": [
            {
                "exchange": m.exchange,
                "trading_pair": m.trading_pair,
                "refid": m.refid,
                "time": m.time.isoformat(),
                "problems": m.problems,
            }
            for m in result.fill_mismatches
        ],
        "one_leg_trades": result.one_leg_refids,
        "pending_entries": result.pending_entries,
    }
    return json.dumps(document, indent=2)


def print_audit(result: AuditResult, console: Console) -> None:
    """Per asset its opening and closing balance and the first divergence; then the summary."""
    table = Table(title="Ledger balances replayed")
    for header in ("Exchange", "Asset", "Opening", "Closing", "Rows", "Divergent rows"):
        justify = "left" if header in ("Exchange", "Asset") else "right"
        table.add_column(header, justify=justify)  # type: ignore[arg-type]
    for asset in result.assets:
        table.add_row(
            asset.exchange,
            asset.asset,
            decimal_text(asset.opening) or "0",
            decimal_text(asset.closing) or "0",
            str(asset.entries),
            str(asset.divergences) if asset.divergences else "ok",
        )
    console.print(table)
    for asset in result.divergent_assets:
        first = asset.first_divergence
        assert first is not None
        console.print(
            f"{asset.asset} ({asset.exchange}) first diverges at {_time(first.time)}, refid "
            f"{first.refid}: expected {decimal_text(first.expected) or '0'}, "
            f"found {decimal_text(first.found) or '0'}"
        )
    for mismatch in result.fill_mismatches:
        console.print(
            f"fill {mismatch.refid} ({mismatch.exchange} {mismatch.trading_pair}, "
            f"{_time(mismatch.time)}) disagrees with the ledger: " + "; ".join(mismatch.problems)
        )
    for exchange, refids in result.one_leg_refids.items():
        console.print(
            f"{len(refids)} one-leg trades on {exchange} (the other asset is not in the export), "
            "not made fills: " + ", ".join(refids)
        )
    divergent = [f"{a.asset} ({a.exchange})" for a in result.divergent_assets]
    console.print(
        f"{len(result.assets)} assets replayed, "
        + (f"{len(divergent)} diverge: {', '.join(divergent)}" if divergent else "all balance")
        + f"; {result.fills_checked} fills checked, {len(result.fill_mismatches)} disagree;"
        f" {result.pending_entries} pending rows left out"
    )
