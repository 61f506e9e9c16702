"""The report as JSON and CSV: totals per quote currency, pnl_pct places, safe CSV cells."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from gal_friday.cli.rendering.report_formats import (
    CSV_COLUMNS,
    report_csv,
    report_dict,
    report_json,
    safe_cell,
)
from gal_friday.domain import Trade, TradeGrouping, TradeSide
from gal_friday.domain.performance import summarize
from gal_friday.domain.trade import TradeFigures

T0 = datetime(2024, 1, 1, tzinfo=UTC)
D = Decimal


def trade(pair: str, pnl: str, commission: str = "0.5", **kw: Any) -> Trade:
    values: dict[str, Any] = {
        "trading_pair": pair,
        "exchange": "kraken",
        "side": TradeSide.LONG,
        "entry_timestamp": T0,
        "exit_timestamp": T0 + timedelta(days=1),
        "quantity": D("1"),
        "average_entry_price": D("100"),
        "average_exit_price": D("101"),
        "realized_pnl": D(pnl),
        "total_commission": D(commission),
        "entry_cash": D("3"),
        **kw,
    }
    return Trade(**values)


MIXED = [
    trade("BTC/USD", "100"),
    trade("ETH/USD", "-30.5"),
    trade("DOT/BTC", "0.0005891", "0.00000231", grouping=TradeGrouping.FIFO),
]


def test_json_totals_are_per_quote_currency_and_no_mixed_total_is_left():
    data = json.loads(report_json(summarize(MIXED)))
    assert "total_realized_pnl" not in data
    assert "total_commission" not in data
    assert data["total_trades"] == 3
    assert data["totals"]["USD"]["trades"] == 2
    assert data["totals"]["USD"]["realized_pnl"] == "69.5"
    assert data["totals"]["USD"]["total_commission"] == "1"
    assert data["totals"]["BTC"] == {
        "pairs": 1,
        "trades": 1,
        "wins": 1,
        "losses": 0,
        "realized_pnl": "0.0005891",
        "total_commission": "0.00000231",
        "pnl_pct": "0.019637",
        "open_trades": 0,
        "open_realized_pnl": "0",
        "ledger_margin": "0",
        "all_realized_pnl": "0.0005891",
    }


def test_json_states_each_pairs_grouping_and_currency():
    pairs = {p["trading_pair"]: p for p in report_dict(summarize(MIXED))["pairs"]}
    assert pairs["DOT/BTC"]["grouping"] == "FIFO"
    assert pairs["BTC/USD"]["grouping"] == "FLAT_TO_FLAT"
    assert pairs["DOT/BTC"]["quote_currency"] == "BTC"


def test_pnl_pct_is_rounded_half_even_to_six_places():
    # 100 * 100 / 3 = 3333.3333...
    (pair,) = report_dict(summarize([trade("BTC/USD", "100")]))["pairs"]
    assert pair["pnl_pct"] == "3333.333333"
    (pair,) = report_dict(summarize([trade("BTC/USD", "3", entry_cash=D("300"))]))["pairs"]
    assert pair["pnl_pct"] == "1"


def test_csv_has_a_total_row_per_quote_currency():
    rows = list(csv.DictReader(io.StringIO(report_csv(summarize(MIXED)))))
    assert list(rows[0]) == CSV_COLUMNS
    totals = [row for row in rows if row["trading_pair"] == "TOTAL"]
    assert [(r["quote_currency"], r["realized_pnl"], r["trades"]) for r in totals] == [
        ("BTC", "0.0005891", "1"),
        ("USD", "69.5", "2"),
    ]
    assert {r["trading_pair"]: r["grouping"] for r in rows if r["grouping"]} == {
        "BTC/USD": "FLAT_TO_FLAT",
        "ETH/USD": "FLAT_TO_FLAT",
        "DOT/BTC": "FIFO",
    }


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+2/USD", "'=1+2/USD"),
        ("+SUM(A1)", "'+SUM(A1)"),
        ("-2+3", "'-2+3"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("-12.5", "-12.5"),  # a negative number stays a number
        ("+3", "+3"),
        ("-0.00000012", "-0.00000012"),
        ("BTC/USD", "BTC/USD"),
        (7, 7),
        (None, ""),
    ],
)
def test_safe_cell(value, written):
    assert safe_cell(value) == written


def test_a_formula_pair_is_written_inert_and_negative_pnl_stays_a_number():
    # a pair name can no longer hold "=" (ASCII codes only): the figures of a stored row can
    trades = [TradeFigures.of(trade("BTC/USD", "-12.5"))._replace(trading_pair="=1+2/USD")]
    rows = list(csv.reader(io.StringIO(report_csv(summarize(trades)))))
    assert rows[1][1] == "'=1+2/USD"
    assert rows[1][CSV_COLUMNS.index("realized_pnl")] == "-12.5"
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "@", "\t", "\r")), cell
            if cell.startswith("-"):
                Decimal(cell)  # only numbers may start with a minus


def marked(report_pairs: list[Trade], *flagged: str):
    """The report of ``report_pairs`` with the ``flagged`` pairs' fees from trades.csv only."""
    import attrs

    report = summarize(report_pairs)
    pairs = tuple(
        attrs.evolve(p, fees_from_trades_csv_only=p.trading_pair in flagged) for p in report.pairs
    )
    return attrs.evolve(report, pairs=pairs)


def test_json_states_which_pairs_fees_come_from_trades_csv_only():
    pairs = report_dict(marked(MIXED, "ETH/USD"))["pairs"]
    assert {p["trading_pair"]: p["fees_from_trades_csv_only"] for p in pairs} == {
        "BTC/USD": False,
        "DOT/BTC": False,
        "ETH/USD": True,
    }
    assert json.loads(report_json(marked(MIXED)))["pairs"][0]["fees_from_trades_csv_only"] is False


def test_csv_has_a_fees_from_trades_csv_only_column_empty_on_totals():
    rows = list(csv.DictReader(io.StringIO(report_csv(marked(MIXED, "DOT/BTC")))))
    assert {r["trading_pair"]: r["fees_from_trades_csv_only"] for r in rows} == {
        "BTC/USD": "false",
        "DOT/BTC": "true",
        "ETH/USD": "false",
        "TOTAL": "",
    }
