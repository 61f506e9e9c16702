"""The report by strategy, signal and exit reason, and the realized PnL of open trades."""

from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from gal_friday.cli.rendering.output import console
from gal_friday.cli.rendering.report_formats import groups_csv, report_csv, report_json
from gal_friday.cli.rendering.report_groups import print_groups, print_realized
from gal_friday.domain import Trade, TradeSide
from gal_friday.domain.attribution_groups import GROUPS, UNATTRIBUTED, group_totals
from gal_friday.domain.performance import summarize
from gal_friday.domain.trade import TradeFigures

T0 = datetime(2024, 3, 1, tzinfo=UTC)
D = Decimal
SIGNAL = uuid.UUID(int=5)


def trade(pair, pnl, n, *, open_=False, **attribution):
    return Trade(
        trading_pair=pair,
        exchange="kraken",
        side=TradeSide.LONG,
        entry_timestamp=T0 + timedelta(hours=n),
        exit_timestamp=None if open_ else T0 + timedelta(hours=n, minutes=30),
        quantity=D("1"),
        open_quantity=D("0.5") if open_ else D(0),
        average_entry_price=D("100"),
        realized_pnl=D(pnl),
        total_commission=D("0.1"),
        entry_cash=D("100.1"),
        **attribution,
    )


MIXED = [
    trade(
        "BTC/USD", "10.5", 1, strategy_id="trend", signal_id=SIGNAL, exit_reason="TAKE_PROFIT_HIT"
    ),
    trade("BTC/USD", "-3.25", 2, strategy_id="trend", exit_reason="STOP_LOSS_HIT"),
    trade("ETH/USD", "0.000000000000000001", 3),  # unattributed
    trade("ETH/USD", "-7", 4, strategy_id="meanrev", exit_reason="STOP_LOSS_HIT"),
    trade("DOT/BTC", "0.0001", 5, strategy_id="trend"),
    trade("DOT/BTC", "-0.00002", 6),  # unattributed, another currency
    trade("XRP/USD", "3263.5", 7, open_=True, strategy_id="trend"),  # open, partial exits
]


@pytest.mark.parametrize("by", GROUPS)
@pytest.mark.parametrize("figures", [False, True])
def test_groups_sum_exactly_to_each_currencys_totals(by, figures):
    trades = [TradeFigures.of(t) for t in MIXED] if figures else MIXED
    report = summarize(trades)
    rows = report.groups(by)
    for total in report.totals:
        mine = [r for r in rows if r.currency == total.currency]
        assert sum(r.trades for r in mine) == total.trades
        assert sum(r.wins for r in mine) == total.wins
        assert sum(r.losses for r in mine) == total.losses
        assert sum((r.realized_pnl for r in mine), D(0)) == total.realized_pnl
        assert sum((r.total_commission for r in mine), D(0)) == total.total_commission
    assert {r.currency for r in rows if r.group is None} == {"USD", "BTC"}  # shown as such


def test_the_unattributed_group_comes_last_in_its_currency_and_is_labelled():
    rows = summarize(MIXED).groups("strategy")
    assert [(r.currency, r.label, r.trades) for r in rows] == [
        ("BTC", "trend", 1),
        ("BTC", UNATTRIBUTED, 1),
        ("USD", "meanrev", 1),
        ("USD", "trend", 2),
        ("USD", UNATTRIBUTED, 1),
    ]
    by_reason = {
        (r.currency, r.group): r.realized_pnl for r in summarize(MIXED).groups("exit-reason")
    }
    assert by_reason[("USD", "STOP_LOSS_HIT")] == D("-10.25")
    by_signal = {(r.currency, r.group) for r in summarize(MIXED).groups("signal")}
    assert ("USD", str(SIGNAL)) in by_signal


def test_an_open_trade_is_not_grouped_and_an_unknown_grouping_is_refused():
    with pytest.raises(ValueError, match="only closed"):
        group_totals([("USD", MIXED[-1])], "strategy")
    with pytest.raises(ValueError, match="unknown group"):
        group_totals([], "colour")


def test_what_open_trades_realized_is_totalled_beside_the_closed_trades():
    report = summarize(MIXED)
    realized = {r.currency: r for r in report.realized_totals}
    usd = realized["USD"]
    assert usd.closed_realized_pnl == D("0.250000000000000001")
    assert usd.open_realized_pnl == D("3263.5")
    assert usd.realized_pnl == D("3263.750000000000000001")
    assert usd.open_trades == 1
    assert realized["BTC"].open_realized_pnl == 0
    assert realized["BTC"].realized_pnl == realized["BTC"].closed_realized_pnl


def test_json_has_groups_and_open_realized_per_currency():
    data = json.loads(report_json(summarize(MIXED), by="strategy"))
    assert data["by"] == "strategy" and "periods" not in data
    unattributed = [g for g in data["groups"] if not g["attributed"]]
    assert {(g["currency"], g["group"]) for g in unattributed} == {("USD", None), ("BTC", None)}
    assert data["totals"]["USD"]["realized_pnl"] == "0.250000000000000001"
    assert data["totals"]["USD"]["open_realized_pnl"] == "3263.5"
    assert data["totals"]["USD"]["all_realized_pnl"] == "3263.750000000000000001"
    assert data["realized"]["USD"] == {
        "closed_realized_pnl": "0.250000000000000001",
        "open_realized_pnl": "3263.5",
        "ledger_margin": "0",
        "realized_pnl": "3263.750000000000000001",
        "open_trades": 1,
    }
    xrp = next(p for p in data["pairs"] if p["trading_pair"] == "XRP/USD")
    assert xrp["open_realized_pnl"] == "3263.5"


def test_csv_groups_sum_to_the_total_rows():
    rows = list(csv.DictReader(io.StringIO(groups_csv(summarize(MIXED), "exit-reason"))))
    totals = {r["currency"]: r for r in rows if r["group"] == "TOTAL"}
    groups = [r for r in rows if r["group"] != "TOTAL"]
    assert {r["attributed"] for r in groups if r["group"] == ""} == {"false"}
    for currency, total in totals.items():
        mine = [r for r in groups if r["currency"] == currency]
        assert sum(D(r["realized_pnl"]) for r in mine) == D(total["realized_pnl"])
        assert sum(int(r["trades"]) for r in mine) == int(total["trades"])


def test_csv_report_shows_open_realized_per_pair_and_currency():
    rows = list(csv.DictReader(io.StringIO(report_csv(summarize(MIXED)))))
    total = next(r for r in rows if r["trading_pair"] == "TOTAL" and r["quote_currency"] == "USD")
    assert (total["realized_pnl"], total["open_realized_pnl"]) == ("0.250000000000000001", "3263.5")
    assert total["all_realized_pnl"] == "3263.750000000000000001"
    xrp = next(r for r in rows if r["trading_pair"] == "XRP/USD")
    assert (xrp["open_realized_pnl"], xrp["all_realized_pnl"]) == ("3263.5", "3263.5")


def test_tables_show_the_groups_and_the_realized_per_currency(capsys):
    out = console()
    report = summarize(MIXED)
    print_groups(out, report, "strategy")
    print_realized(out, report)
    text = capsys.readouterr().out
    assert "Closed trades by strategy" in text and UNATTRIBUTED in text
    assert "meanrev" in text and "TOTAL" in text
    assert "Realized PnL per currency" in text
    assert "3,263.50" in text or "3263.50" in text
