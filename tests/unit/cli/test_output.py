"""The report on a terminal: every figure whole at 80 columns, totals per currency, English counts."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import attrs
import pytest
from rich.console import Console

from gal_friday.cli.rendering.output import plural, print_report
from gal_friday.domain import Trade, TradeGrouping, TradeSide
from gal_friday.domain.performance import summarize

T0 = datetime(2024, 1, 1, tzinfo=UTC)
D = Decimal


def trade(pair: str, pnl: str, commission: str, exchange: str = "kraken", **kw: Any) -> Trade:
    values: dict[str, Any] = {
        "trading_pair": pair,
        "exchange": exchange,
        "side": TradeSide.LONG,
        "entry_timestamp": T0,
        "exit_timestamp": T0 + timedelta(days=1),
        "quantity": D("1.5"),
        "average_entry_price": D("43251.123456"),
        "average_exit_price": D("43900"),
        "realized_pnl": D(pnl),
        "total_commission": D(commission),
        "entry_cash": D("64876.68518"),
        **kw,
    }
    return Trade(**values)


def rendered(trades: list[Trade], width: int, *flagged: str) -> str:
    """The report at ``width`` columns, the ``flagged`` pairs' fees from trades.csv only."""
    report = summarize(trades)
    pairs = tuple(
        attrs.evolve(p, fees_from_trades_csv_only=p.trading_pair in flagged) for p in report.pairs
    )
    console = Console(width=width, record=True, color_system=None, force_terminal=False)
    print_report(attrs.evolve(report, pairs=pairs), console)
    return console.export_text()


def realistic() -> list[Trade]:
    return [
        trade("BTC/USD", "774123.456789", "1234.5678"),
        trade("BTC/USD", "-123456.78", "987.6543"),
        trade("DOT/BTC", "0.0005891", "0.00000231", entry_cash=D("0.0123")),
        trade("ETH/BTC", "-0.00000012", "0.00003012", entry_cash=D("0.0567")),
        trade("XRP/EUR", "-0.004", "0.00101", exchange="coinbaseinternational"),
        trade(
            "DOGE/USD",
            "0",
            "0",
            exit_timestamp=None,
            average_exit_price=None,
            open_quantity=D("123456.12345678"),
            average_entry_price=D("0.08123456789"),
            realized_pnl=D("-12.3456"),
        ),
    ]


@pytest.mark.parametrize("width", [80, 60, 120])
def test_every_figure_is_whole_on_a_narrow_terminal(width):
    text = rendered(realistic(), width)
    assert "…" not in text
    assert max(len(line) for line in text.splitlines()) <= width
    for figure in [
        "650666.68",  # BTC/USD PnL, 2 places for USD
        "2222.22",  # its fees
        "774123.46",  # best
        "-123456.78",  # worst
        "0.0005891",  # DOT/BTC, not 0.0006
        "0.00003012",  # ETH/BTC fees, not 0.0000
        "-0.00000012",  # a tiny loss, not -0.0000
        "-0.004",  # a tiny EUR loss, not -0.00
        "0.00058898",  # the BTC total (0.0005891 - 0.00000012)
        "TOTAL BTC",
        "TOTAL EUR",
        "TOTAL USD",
        "coinbaseinternational",
        "123456.12",  # DOGE held, 8 significant digits
        "0.081234568",  # its average entry price
        "-12.35",
    ]:
        assert figure in text, (figure, width)
    assert not re.search(r"-0\.0*(\s|$)", text, re.MULTILINE), "a negative zero"


def test_the_wide_table_when_it_fits():
    text = rendered(realistic(), 160)
    header = next(line for line in text.splitlines() if "Exchange" in line)
    assert all(word in header for word in ("Pair", "Trades", "Wins", "Losses", "PnL", "Fees"))
    assert text.count("TOTAL") == 3  # one per quote currency, never one mixed total
    assert "Open trades (1 trade)" in text
    assert "(flat-to-flat)" in text


def test_mixed_groupings_get_a_column():
    trades = [trade("BTC/USD", "1", "0"), trade("ETH/USD", "1", "0", grouping=TradeGrouping.FIFO)]
    text = rendered(trades, 160)
    assert "Grouping" in text
    assert "fifo" in text
    assert "flat-to-flat" in text


def test_an_empty_report_says_so():
    assert "No trades to report." in rendered([], 80)


def test_counts_in_english():
    assert plural(1, "trade") == "1 trade"
    assert plural(2, "trade") == "2 trades"
    assert plural(0, "trade") == "0 trades"
    assert plural(1, "currency", "currencies") == "1 currency"
    assert plural(3, "currency", "currencies") == "3 currencies"


def test_the_title_states_the_period():
    console = Console(width=200, record=True, color_system=None)
    since, until = T0, T0 + timedelta(days=2, hours=12)
    print_report(summarize(realistic(), since=since, until=until), console)
    title = console.export_text().splitlines()[0].strip()
    assert title == (
        "Realized PnL of closed trades (flat-to-flat), exited from 2024-01-01"
        " and before 2024-01-03 12:00"
    )


NOTE = "* fees from trades.csv only: ledgers.csv corrects them (docs/ledgers.md)"


@pytest.mark.parametrize("width", [80, 60, 120, 160])
def test_pairs_with_fees_from_trades_csv_only_are_starred_with_one_note(width):
    text = rendered(realistic(), width, "BTC/USD", "DOT/BTC")
    assert max(len(line) for line in text.splitlines()) <= width
    assert "BTC/USD*" in text and "DOT/BTC*" in text
    assert "ETH/BTC*" not in text and "XRP/EUR*" not in text and "TOTAL USD*" not in text
    assert " ".join(text.split()).count(NOTE) == 1  # wrapped on a narrow terminal, never cut


def test_no_star_and_no_note_when_every_fee_is_reconciled():
    text = rendered(realistic(), 120)
    assert "*" not in text
