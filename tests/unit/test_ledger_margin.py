"""Margin rows of the ledger that no margin fill carries: their net counts in the realized
total of their currency (docs/ledgers.md, "Margin"). No database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import attrs

from gal_friday.domain.account_book import MARGIN_TYPES, ledger_margin, margin_nets
from gal_friday.domain.ledger import LedgerEntry
from gal_friday.domain.ledger_kinds import LedgerKind, kind_of
from gal_friday.domain.performance import summarize

T0 = datetime(2026, 1, 6, 11, tzinfo=UTC)
D = Decimal


def row(n, type_, amount, fee, asset="EUR", *, pending=False):
    return LedgerEntry(
        exchange="kraken",
        txid=None if pending else f"L{n}",
        refid="TMARGIN",
        time=T0 + timedelta(hours=n),
        type=type_,
        asset=asset,
        amount=D(amount),
        fee=D(fee),
        balance=None,
    )


def test_every_margin_type_is_of_kind_margin():
    assert {kind_of(type_) for type_ in MARGIN_TYPES} == {LedgerKind.MARGIN}


def test_the_net_of_booked_margin_rows_per_asset_exactly():
    rows = [
        row(0, "margin", "0", "0.96"),
        row(1, "rollover", "0", "1.2"),
        row(2, "rollover", "0", "1.52"),
        row(3, "margin", "120", "0.77"),
        row(4, "settled", "-0.00000001", "0", asset="BTC"),
        row(5, "rollover", "0", "9", pending=True),  # not booked: in no figure
        row(6, "trade", "100", "0"),  # not a margin row
    ]
    assert ledger_margin(rows) == {"BTC": D("-0.00000001"), "EUR": D("115.55")}


def test_the_period_is_since_inclusive_until_exclusive():
    rows = [row(0, "margin", "0", "0.96"), row(1, "rollover", "0", "1.2")]
    assert ledger_margin(rows, since=T0 + timedelta(hours=1)) == {"EUR": D("-1.2")}
    assert ledger_margin(rows, until=T0 + timedelta(hours=1)) == {"EUR": D("-0.96")}
    assert [net for _, _, net in margin_nets(rows)] == [D("-0.96"), D("-1.2")]


def test_a_net_of_zero_is_left_out():
    assert ledger_margin([row(0, "margin", "1", "0"), row(1, "settled", "-1", "0")]) == {}


def test_the_realized_total_includes_ledger_margin_even_without_a_trade():
    report = attrs.evolve(summarize([]), ledger_margin={"EUR": D("115.55")})
    (total,) = report.realized_totals
    assert (total.currency, total.closed_realized_pnl, total.open_trades) == ("EUR", 0, 0)
    assert (total.ledger_margin, total.realized_pnl) == (D("115.55"), D("115.55"))
    assert report.totals == ()  # the closed trades' figures never include it
