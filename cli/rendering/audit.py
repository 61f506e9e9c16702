"""Terminal and JSON output of ``gal-friday audit``: per asset and wallet, then per asset."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console
from rich.table import Table

from gal_friday.cli.rendering.report_formats import decimal_text
from gal_friday.domain.invariants import InvariantError
from gal_friday.domain.ledger_replay import AssetReplay, AssetTotal
from gal_friday.services.audit import AuditResult

#: How an export without a ``wallet`` column (2021 and older) shows its one wallet.
NO_WALLET = "-"


def _time(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value is not None else "-"


def _wallet(wallet: str | None) -> str:
    return wallet if wallet is not None else NO_WALLET


def where(asset: AssetReplay) -> str:
    """``DOT (kraken, wallet earn / bonded)``; without a wallet column ``DOT (kraken)``."""
    wallet = f", wallet {asset.wallet}" if asset.wallet is not None else ""
    return f"{asset.asset} ({asset.exchange}{wallet})"


def _replay_dict(asset: AssetReplay) -> dict[str, Any]:
    first = asset.first_divergence
    return {
        "exchange": asset.exchange,
        "asset": asset.asset,
        "wallet": asset.wallet,
        "opening_balance": decimal_text(asset.opening),
        "closing_balance": decimal_text(asset.closing),
        "entries": asset.entries,
        "divergences": asset.divergences,
        "first_divergence": None
        if first is None
        else {
            "time": first.time.isoformat(),
            "wallet": first.wallet,
            "refid": first.refid,
            "txid": first.txid,
            "expected": decimal_text(first.expected),
            "found": decimal_text(first.found),
        },
    }


def _total_dict(total: AssetTotal) -> dict[str, Any]:
    return {
        "exchange": total.exchange,
        "asset": total.asset,
        "wallets": list(total.wallets),
        "opening_balance": decimal_text(total.opening),
        "closing_balance": decimal_text(total.closing),
        "entries": total.entries,
        "divergences": total.divergences,
    }


def audit_json(result: AuditResult) -> str:
    """``{"balanced", "assets": [...], "asset_totals": [...], "fill_mismatches": [...], ...}``.

    ``differences`` lists, per fill and field, where trades.csv and the ledger differ
    (the ledger's figures were taken; never a divergence).

    ``assets`` has one object per asset and wallet (``"wallet": null`` for an export
    without the column), ``asset_totals`` one per asset summed over its wallets;
    decimals are strings.
    """
    document = {
        "balanced": result.balanced,
        "assets": [_replay_dict(asset) for asset in result.assets],
        "asset_totals": [_total_dict(total) for total in result.totals],
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
        "differences": [
            {
                "exchange": d.exchange,
                "fill_id": d.fill_id,
                "trading_pair": d.trading_pair,
                "field": d.field,
                "trades_csv": d.trades_csv,
                "ledger": d.ledger,
            }
            for d in result.differences
        ],
    }
    return json.dumps(document, indent=2)


def _table(title: str, wallet_header: str) -> Table:
    table = Table(title=title)
    for header in ("Exchange", "Asset", wallet_header, "Opening", "Closing", "Rows", "Divergent"):
        justify = "left" if header in ("Exchange", "Asset", "Wallet") else "right"
        table.add_column(header, justify=justify)  # type: ignore[arg-type]
    return table


def _counted(divergences: int) -> str:
    return str(divergences) if divergences else "ok"


def print_audit(result: AuditResult, console: Console) -> None:
    """Per asset and wallet, then per asset, the balances; each first divergence; a summary."""
    table = _table("Ledger balances replayed per asset and wallet", "Wallet")
    for asset in result.assets:
        table.add_row(
            asset.exchange,
            asset.asset,
            _wallet(asset.wallet),
            decimal_text(asset.opening) or "0",
            decimal_text(asset.closing) or "0",
            str(asset.entries),
            _counted(asset.divergences),
        )
    console.print(table)
    totals = _table("Per asset, all wallets", "Wallets")
    for total in result.totals:
        totals.add_row(
            total.exchange,
            total.asset,
            str(len(total.wallets)),
            decimal_text(total.opening) or "0",
            decimal_text(total.closing) or "0",
            str(total.entries),
            _counted(total.divergences),
        )
    console.print(totals)
    for asset in result.divergent_assets:
        first = asset.first_divergence
        if first is None:
            raise InvariantError("a divergent asset has a first divergence")
        console.print(
            f"{where(asset)} first diverges at {_time(first.time)}, refid "
            f"{first.refid}: expected {decimal_text(first.expected) or '0'}, "
            f"found {decimal_text(first.found) or '0'}",
            soft_wrap=True,
        )
    for mismatch in result.fill_mismatches:
        console.print(
            f"fill {mismatch.refid} ({mismatch.exchange} {mismatch.trading_pair}, "
            f"{_time(mismatch.time)}) disagrees with the ledger: " + "; ".join(mismatch.problems),
            soft_wrap=True,
        )
    for exchange, refids in result.one_leg_refids.items():
        console.print(
            f"{len(refids)} one-leg trades on {exchange} (the other asset is not in the export), "
            "not made fills: " + ", ".join(refids),
            soft_wrap=True,
        )
    print_differences(result, console)
    divergent = [where(a) for a in result.divergent_assets]
    console.print(
        f"{len(result.totals)} assets replayed, "
        + (f"{len(divergent)} diverge: {', '.join(divergent)}" if divergent else "all balance")
        + f"; {result.fills_checked} fills checked, {len(result.fill_mismatches)} disagree;"
        f" {result.pending_entries} pending rows left out",
        soft_wrap=True,
    )


def print_differences(result: AuditResult, console: Console) -> None:
    """The section "differences between trades.csv and the ledger": a count, then one line
    per fill and field (the ledger's figures were taken; these are not divergences)."""
    differences = result.differences
    fills = len({(d.exchange, d.fill_id) for d in differences})
    console.print(
        f"differences between trades.csv and the ledger: {len(differences)} in {fills} "
        + ("fill" if fills == 1 else "fills")
        + (" (the ledger's figures taken; not divergences)" if differences else ""),
        soft_wrap=True,
    )
    for d in differences:
        console.print(
            f"  {d.fill_id} ({d.exchange} {d.trading_pair}) {d.field}:"
            f" trades.csv {d.trades_csv}, ledger {d.ledger}",
            soft_wrap=True,
            markup=False,
        )
