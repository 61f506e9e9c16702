"""The equity report's notes as sentences (docs/analytics.md, "Notes")."""

from __future__ import annotations

from decimal import Decimal

from gal_friday.domain import values as v
from gal_friday.domain.equity_notes import NegativeBalance
from gal_friday.services.equity import EquityReport


def _amount(value: Decimal) -> str:
    return format(v.tidy(value), "f")


def note_lines(report: EquityReport) -> list[str]:
    """Every note, one sentence each, in a fixed order (empty: nothing to say)."""
    lines = _source(report) + _end(report)
    for stale in report.stale_prices:
        lines.append(
            f"{stale.pair}: the close of {stale.close_day} is carried forward over "
            f"{stale.days} days ({stale.first_day} to {stale.last_day}; more than "
            f"{report.max_stale_days}): those days' returns see no new {stale.pair} price"
        )
    for negative in report.negative_balances:
        lines.append(_negative(report, negative))
    for day in report.undefined_returns:
        lines.append(
            f"the return of {day} is undefined (the value before it, flows included, is "
            "at or below zero): counted as 0 in the time-weighted return"
        )
    if report.unvalued:
        lines.append(f"not valued (no price; left out of the equity): {', '.join(report.unvalued)}")
    if report.xirr is None:
        lines.append("the money-weighted return (XIRR) is undefined: the flows do not change sign")
    return lines


def _source(report: EquityReport) -> list[str]:
    if report.source == "ledger":
        held = ", ".join(f"{_amount(x)} {a}" for a, x in report.opening_balances.items())
        net = sum((flow.value for flow in report.flows), Decimal(0))
        lines = [
            f"opening balances from the ledger: {held or 'none'} (worth "
            f"{_amount(report.opening_value)} {report.currency}); {len(report.flows)} deposits "
            f"and withdrawals (net {_amount(net)} {report.currency}) are flows, not profit"
        ]
        if report.fills.before_ledger:
            lines.append(
                f"{report.fills.before_ledger} fills are older than the ledger: they are in its "
                "opening balances"
            )
        if report.fills.not_in_ledger:
            lines.append(
                f"{report.fills.not_in_ledger} fills are not in their exchange's ledger: "
                "their amounts are taken from the fills"
            )
        return lines
    if report.ledger_ignored:
        return [
            "a ledger is stored, but --start-capital folds the fills alone over that cash: "
            "leave it out to take opening balances, deposits and withdrawals from the ledger"
        ]
    return []


def _end(report: EquityReport) -> list[str]:
    end = report.end
    if end is None:
        return []
    why = f": {end.pair}'s candles end there" if end.pair else ""
    lines = [f"the curve ends on {end.last_day}{why}"]
    if end.fills_after or end.rows_after:
        lines.append(
            f"{end.fills_after} fills and {end.rows_after} ledger rows lie past its end and "
            f"are in no row: import {end.pair or 'the'} prices covering them"
        )
    return lines


def _negative(report: EquityReport, negative: NegativeBalance) -> str:
    asset, at, lowest = negative.asset, negative.first_at.isoformat(), _amount(negative.lowest)
    if asset == report.currency and report.start_capital is not None:
        return (
            f"{asset} goes negative at {at} (lowest {lowest}): --start-capital "
            f"{_amount(report.start_capital)} does not cover what the fills spent; the "
            "returns are not meaningful: give the capital really held, or import the ledger"
        )
    return (
        f"{asset} goes negative at {at} (lowest {lowest}): more was sold or spent than "
        "the history holds (an export that starts too late?); the returns are not meaningful"
    )
