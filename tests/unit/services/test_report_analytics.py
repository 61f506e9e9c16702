"""`report --statistics` and `report --by` on hand-computed trades (JSON, CSV, table)."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal as D
from typing import Any

import pytest
from rich.console import Console

from gal_friday.cli.rendering.output import print_report
from gal_friday.cli.rendering.report_formats import (
    CSV_COLUMNS,
    STATISTICS,
    periods_csv,
    report_csv,
    report_dict,
    report_json,
)
from gal_friday.domain import Trade, TradeSide
from gal_friday.domain.conversion import convert_trade
from gal_friday.domain.equity import PriceBook
from gal_friday.domain.performance import summarize
from gal_friday.domain.periods import period_label, period_start, period_totals
from gal_friday.domain.trade import TradeFigures


def at(day: int, hour: int = 0) -> datetime:
    return datetime(2024, 1, 1, tzinfo=UTC) + timedelta(days=day, hours=hour)


def trade(pair: str, pnl: Any, entry: datetime, exit_: datetime | None, fee: str = "1") -> Trade:
    return Trade(
        trading_pair=pair,
        exchange="kraken",
        side=TradeSide.LONG,
        entry_timestamp=entry,
        quantity=D(1),
        average_entry_price=D(100),
        realized_pnl=D(pnl),
        total_commission=D(fee),
        entry_cash=D(100),
        exit_timestamp=exit_,
        average_exit_price=D(101) if exit_ else None,
    )


# the statistics tests' hand-computed fixture (tests/unit/analytics/test_statistics.py):
# exit order +10, +20, -5, 0, -15, +30
HAND = [
    trade("BTC/USD", 20, at(1), at(3)),
    trade("BTC/USD", 10, at(1), at(2)),
    trade("BTC/USD", -5, at(3), at(4)),
    trade("BTC/USD", 0, at(4), at(5)),
    trade("BTC/USD", -15, at(5), at(6)),
    trade("BTC/USD", 30, at(6), at(7, 12)),
]
EXPECTED = {
    "win_rate": "0.5",
    "profit_factor": "3",
    "expectancy": "6.666666666666666667",
    "payoff_ratio": "2",
    "expectancy_ratio": "0.5",
    "largest_win": "30",
    "largest_loss": "-15",
    "max_consecutive_wins": 2,
    "max_consecutive_losses": 1,
    "avg_duration_s": "108000",
}
SQN = (D(6).sqrt() * (D(20) / 3) / ((D(1650) - D(6) * (D(20) / 3) ** 2) / 5).sqrt()).quantize(
    D("1e-18")
)
ETH = [
    trade("ETH/BTC", "0.1", at(1), at(2), "0.001"),
    trade("ETH/BTC", "-0.3", at(2), at(3), "0.001"),
]
OPEN = trade("XRP/USD", "-0.5", at(2), None)


def test_json_statistics_per_pair_and_per_currency_total_match_the_hand_computed_fixture():
    data = json.loads(report_json(summarize([*HAND, *ETH, OPEN]), statistics=True))
    btc = next(p for p in data["pairs"] if p["trading_pair"] == "BTC/USD")
    assert list(btc["statistics"]) == STATISTICS
    assert {k: btc["statistics"][k] for k in EXPECTED} == EXPECTED
    assert btc["statistics"]["sqn"] == format(SQN, "f")
    # USD total: the same six trades (the open XRP trade is not a closed trade)
    assert data["totals"]["USD"]["statistics"] == btc["statistics"]
    xrp = next(p for p in data["pairs"] if p["trading_pair"] == "XRP/USD")
    assert xrp["statistics"]["win_rate"] is None and xrp["statistics"]["max_consecutive_wins"] == 0
    eth = data["totals"]["BTC"]["statistics"]
    assert (eth["largest_win"], eth["largest_loss"], eth["expectancy"]) == ("0.1", "-0.3", "-0.1")
    assert eth["profit_factor"] == "0.333333333333333333"
    # existing names untouched; statistics only when asked for
    assert "statistics" not in json.loads(report_json(summarize(HAND)))["pairs"][0]
    assert set(report_dict(summarize(HAND))) == {
        "since",
        "until",
        "pairs",
        "total_trades",
        "totals",
        "realized",  # what open trades realized, beside the closed trades' PnL
    }


def test_csv_statistics_are_columns_of_pair_and_total_rows():
    rows = list(csv.DictReader(io.StringIO(report_csv(summarize([*HAND, *ETH]), statistics=True))))
    assert list(rows[0]) == CSV_COLUMNS + STATISTICS
    btc = next(r for r in rows if r["trading_pair"] == "BTC/USD")
    assert {k: btc[k] for k in EXPECTED} == {k: str(v) for k, v in EXPECTED.items()}
    total_btc = next(
        r for r in rows if r["trading_pair"] == "TOTAL" and r["quote_currency"] == "BTC"
    )
    assert (
        total_btc["largest_loss"] == "-0.3" and total_btc["payoff_ratio"] == "0.333333333333333333"
    )
    assert next(csv.reader(io.StringIO(report_csv(summarize(HAND))))) == CSV_COLUMNS


def test_table_statistics_block_fits_80_columns():
    console = Console(width=80, record=True)
    print_report(summarize([*HAND, *ETH, OPEN]), console, statistics=True)
    text = console.export_text()
    assert max(len(line) for line in text.splitlines()) <= 80
    for label, value in [
        ("win rate", "50.00 %"),
        ("profit factor", "3.00"),
        ("expectancy", "6.67"),
        ("largest loss", "-15.00"),
        ("wins in a row", "2"),
        ("avg duration", "1 day, 6:00:00"),
    ]:
        assert any(label in line and value in line for line in text.splitlines()), (label, value)
    assert "TOTAL BTC, 2 trades" in text and "BTC/USD (kraken), 6 trades" in text


def test_periods_iso_weeks_months_years_and_labels():
    assert period_label(period_start(date(2024, 12, 31), "week"), "week") == "2025-W01"
    assert period_label(period_start(date(2021, 1, 3), "week"), "week") == "2020-W53"
    assert period_start(date(2024, 3, 10), "week") == date(2024, 3, 4)  # a Sunday: its Monday
    assert period_label(date(2024, 3, 1), "month") == "2024-03"
    assert period_label(date(2024, 1, 1), "year") == "2024"
    assert period_label(date(2024, 3, 5), "day") == "2024-03-05"
    with pytest.raises(ValueError, match="quarter"):
        period_start(date(2024, 1, 1), "quarter")


BOUNDARY = [
    trade("BTC/USD", "1.1", at(0), datetime(2024, 1, 31, 23, 59, 59, 999999, tzinfo=UTC)),
    trade("BTC/USD", "2.2", at(0), datetime(2024, 2, 1, tzinfo=UTC)),  # exactly at the boundary
    trade("BTC/USD", "-0.3", at(0), datetime(2024, 12, 31, 23, tzinfo=UTC)),
    trade("ETH/BTC", "0.01", at(0), datetime(2024, 2, 1, tzinfo=UTC), "0.0001"),
]


@pytest.mark.parametrize("by", ["day", "week", "month", "year"])
def test_periods_sum_exactly_to_the_totals(by):
    report = summarize([*BOUNDARY, *HAND, OPEN])
    rows = report.periods(by)
    for total in report.totals:
        mine = [row for row in rows if row.currency == total.currency]
        assert sum((row.realized_pnl for row in mine), D(0)) == total.realized_pnl
        assert sum((row.total_commission for row in mine), D(0)) == total.total_commission
        assert sum(row.trades for row in mine) == total.trades
        assert sum(row.wins for row in mine) == total.wins
        assert sum(row.losses for row in mine) == total.losses


def test_a_trade_exiting_exactly_at_midnight_belongs_to_the_new_period():
    months = {(r.currency, r.period): r for r in summarize(BOUNDARY).periods("month")}
    assert months[("USD", "2024-01")].realized_pnl == D("1.1")
    assert months[("USD", "2024-02")].realized_pnl == D("2.2")
    assert months[("BTC", "2024-02")].realized_pnl == D("0.01")
    weeks = [r.period for r in period_totals([("USD", t) for t in BOUNDARY[:3]], "week")]
    assert weeks == ["2024-W05", "2025-W01"]  # Jan 31 and Feb 1 2024 share ISO week 5


def test_periods_in_json_and_csv():
    data = report_dict(summarize(BOUNDARY), by="month")
    assert data["by"] == "month"
    assert data["periods"][0] == {
        "period": "2024-02",
        "start": "2024-02-01",
        "currency": "BTC",
        "trades": 1,
        "wins": 1,
        "losses": 0,
        "realized_pnl": "0.01",
        "total_commission": "0.0001",
    }
    rows = list(csv.DictReader(io.StringIO(periods_csv(summarize(BOUNDARY), "year"))))
    assert [(r["period"], r["currency"], r["realized_pnl"]) for r in rows] == [
        ("2024", "BTC", "0.01"),
        ("2024", "USD", "3"),
        ("TOTAL", "BTC", "0.01"),
        ("TOTAL", "USD", "3"),
    ]


def test_periods_table():
    console = Console(width=80, record=True)
    print_report(summarize(BOUNDARY), console, by="month")
    text = console.export_text()
    assert "Closed trades by exit month (UTC)" in text
    assert any(
        line.split()[:2] == ["2024-02", "USD"] and line.split()[-2] == "2.20"
        for line in text.splitlines()
    )
    assert max(len(line) for line in text.splitlines()) <= 80


def _figures(trades: list[Trade]) -> list[TradeFigures]:
    """The trades as a repository's plain figures."""
    return [TradeFigures.of(t) for t in trades]


@pytest.mark.parametrize("by", [None, "week"])
def test_trade_figures_give_the_report_whole_trades_give(by):
    trades = [*HAND, *ETH, *BOUNDARY, OPEN]
    whole, figures = summarize(trades, since=at(2)), summarize(_figures(trades), since=at(2))
    assert report_json(figures, statistics=True, by=by) == report_json(
        whole, statistics=True, by=by
    )
    assert report_csv(figures, statistics=True) == report_csv(whole, statistics=True)
    assert periods_csv(figures, "month") == periods_csv(whole, "month")
    shown = []
    for report in (whole, figures):
        console = Console(width=100, record=True)
        print_report(report, console, statistics=True, by=by)
        shown.append(console.export_text())
    assert shown[0] == shown[1]


def test_converted_trade_figures_are_the_converted_trades_figures():
    book = PriceBook({"BTC/USD": [(at(0), D(80)), (at(5), D(90))]}, "BTC")
    for trade in HAND:
        converted = convert_trade(TradeFigures.of(trade), book)
        assert isinstance(converted, TradeFigures)
        assert converted == TradeFigures.of(convert_trade(trade, book))
        assert converted.realized_pnl != trade.realized_pnl or trade.realized_pnl == 0
