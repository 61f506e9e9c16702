"""The chart draws the report's closed trades, one axis per quote currency."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from gal_friday.cli.rendering import plotting
from gal_friday.domain import Trade, TradeSide
from gal_friday.domain.performance import summarize

T0 = datetime(2024, 1, 1, tzinfo=UTC)
D = Decimal


def trade(pair: str, pnl: str, exited: int) -> Trade:
    return Trade(
        trading_pair=pair,
        exchange="kraken",
        side=TradeSide.LONG,
        entry_timestamp=T0,
        exit_timestamp=T0 + timedelta(days=exited),
        quantity=D("1"),
        average_entry_price=D("100"),
        average_exit_price=D("101"),
        realized_pnl=D(pnl),
        entry_cash=D("100"),
    )


def drawn(report: Any, tmp_path, monkeypatch) -> Any:
    plt = plotting.require_matplotlib()
    figures = []
    monkeypatch.setattr(plt, "close", figures.append)
    lines = plotting.plot_cumulative_pnl(report, tmp_path / "pnl.png")
    assert (tmp_path / "pnl.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    (figure,) = figures
    return lines, figure


def test_each_currency_has_its_own_axis(tmp_path, monkeypatch):
    trades = [
        trade("BTC/USD", "100", 1),
        trade("BTC/USD", "-30", 2),
        trade("ETH/USD", "5", 2),
        trade("DOT/BTC", "0.0005891", 3),
    ]
    lines, figure = drawn(summarize(trades), tmp_path, monkeypatch)
    assert lines == 3
    axes = {ax.get_ylabel(): ax for ax in figure.axes}
    assert set(axes) == {"BTC", "USD"}
    usd = {line.get_label(): line.get_ydata()[-1] for line in axes["USD"].get_lines()[:2]}
    assert usd == {"BTC/USD (kraken)": 70.0, "ETH/USD (kraken)": 5.0}
    btc = [line.get_label() for line in axes["BTC"].get_lines()]
    assert "DOT/BTC (kraken)" in btc
    assert "BTC/USD (kraken)" not in btc


def test_the_period_of_the_report_is_the_period_of_the_chart(tmp_path, monkeypatch):
    trades = [trade("BTC/USD", "100", 1), trade("BTC/USD", "-30", 5), trade("XRP/USD", "2", 1)]
    report = summarize(trades, since=T0 + timedelta(days=3))
    lines, figure = drawn(report, tmp_path, monkeypatch)
    assert lines == 1  # XRP/USD closed before the period
    (axes,) = figure.axes
    (line,) = [ln for ln in axes.get_lines() if ln.get_label() == "BTC/USD (kraken)"]
    assert list(line.get_ydata()) == [0.0, -30.0]  # not 100 then 70


def test_nothing_to_draw_writes_nothing(tmp_path):
    assert plotting.plot_cumulative_pnl(summarize([]), tmp_path / "pnl.png") == 0
    assert not (tmp_path / "pnl.png").exists()
