"""Equity, statistics and snapshots from stored fills, trades and candles, on both databases."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal as D
from pathlib import Path

import pytest

from gal_friday.cli.main import run
from gal_friday.cli.rendering.equity_formats import equity_document
from gal_friday.domain import PortfolioSnapshot
from gal_friday.persistence.bootstrap import unit_of_work_factory
from gal_friday.persistence.unit_of_work import UnitOfWork
from gal_friday.services.equity import build_equity, is_rebuilt
from gal_friday.services.importing import import_history
from gal_friday.services.prices import import_prices

SAMPLES = Path(__file__).resolve().parents[2] / "importers" / "samples"
PAIRS = ("XBTUSD", "XRPUSD", "XDGUSD")


@pytest.fixture
def loaded(engine):
    import_history(
        unit_of_work_factory(engine), SAMPLES / "kraken-trades-sample.csv", "kraken-trades"
    )
    for code in PAIRS:
        import_prices(unit_of_work_factory(engine), SAMPLES / f"{code}_1440.csv", "kraken-ohlcvt")
    return engine


def test_sample_equity_is_exact_and_consistent(loaded):
    report = build_equity(unit_of_work_factory(loaded), start_capital=D(10000), currency="usd")
    with UnitOfWork(loaded) as uow:
        closed = [t for t in uow.trades.all() if t.exit_timestamp is not None]
    days = report.days
    assert (days[0].date.isoformat(), days[-1].date.isoformat()) == ("2024-01-08", "2024-05-31")
    assert len(days) == 145
    # first day: bought 1000 XRP at 0.52 for 520 USD and 0.832 fees; XRP closes at 0.52 that day
    assert days[0].equity == D("9999.168") and days[0].fees == D("0.832")
    # the last day's realized PnL is every closed trade's (all quoted in USD)
    assert days[-1].realized_pnl == sum((t.realized_pnl for t in closed), D(0))
    for day in days:
        assert day.unrealized_pnl == day.equity - 10000 - day.realized_pnl
        assert day.drawdown <= 0
    assert report.statistics.total_return == days[-1].equity / 10000 - 1
    assert report.statistics.max_drawdown == min(d.drawdown for d in days)


def test_json_document_has_the_fixed_names(loaded):
    report = build_equity(unit_of_work_factory(loaded), start_capital=D(10000), currency="USD")
    document = equity_document(report)
    assert set(document) == {
        "currency",
        "start_capital",
        "source",
        "opening_value",
        "opening_balances",
        "returns",
        "flows",
        "days",
        "statistics",
        "drawdowns",
        "notes",
    }
    assert set(document["returns"]) == {"twr", "xirr", "xirr_tolerance"}
    # without flows the time-weighted return is the total return
    assert document["returns"]["twr"] == document["statistics"]["total_return"]
    assert set(document["notes"]) == {
        "end",
        "max_stale_days",
        "stale_prices",
        "negative_balances",
        "undefined_returns",
        "unvalued_assets",
        "fills_before_ledger",
        "fills_not_in_ledger",
        "messages",
    }
    assert set(document["days"][0]) == {
        "flows",
        "income",
        "daily_return",
        "date",
        "equity",
        "realized_pnl",
        "unrealized_pnl",
        "fees",
        "drawdown",
    }
    assert set(document["statistics"]) == {
        "total_return",
        "cagr",
        "volatility",
        "sharpe",
        "sortino",
        "max_drawdown",
        "calmar",
        "longest_drawdown_days",
        "best_day",
        "worst_day",
    }
    assert set(document["drawdowns"][0]) == {"peak", "trough", "recovery", "depth", "days"}
    assert isinstance(document["days"][0]["equity"], str) and document["currency"] == "USD"
    assert len(document["drawdowns"]) <= 5


def test_missing_prices_are_an_error_naming_the_pair(engine):
    import_history(
        unit_of_work_factory(engine), SAMPLES / "kraken-trades-sample.csv", "kraken-trades"
    )
    uow_factory = unit_of_work_factory(engine)
    import_prices(uow_factory, SAMPLES / "XBTUSD_1440.csv", "kraken-ohlcvt")
    with pytest.raises(Exception, match="no price of (DOGE|XRP) in USD"):
        build_equity(uow_factory, start_capital=D(10000), currency="USD")


def test_snapshots_rebuild_replaces_its_own_and_keeps_others(loaded):
    other = PortfolioSnapshot(
        snapshot_timestamp=datetime(2024, 2, 1, 12, tzinfo=UTC), total_equity=D(5)
    )
    with UnitOfWork(loaded) as uow:
        uow.snapshots.add(other)
        uow.commit()
    url = loaded.url.render_as_string(hide_password=False)
    args = [
        "--database-url",
        url,
        "snapshots",
        "rebuild",
        "--start-capital",
        "10000",
        "--currency",
        "USD",
    ]
    assert run(args=args) == 0
    assert run(args=args) == 0
    with UnitOfWork(loaded) as uow:
        stored = uow.snapshots.between()
    report = build_equity(unit_of_work_factory(loaded), start_capital=D(10000), currency="USD")
    rebuilt = [s for s in stored if is_rebuilt(s)]
    assert len(rebuilt) == 145 and len(stored) == 146
    last = rebuilt[-1]
    assert last.snapshot_timestamp == datetime(2024, 6, 1, tzinfo=UTC)
    assert last.total_equity == report.days[-1].equity
    # docs/trading-rules.md drawdowns: a positive percentage of the running peak
    assert abs(last.max_drawdown_pct + 100 * report.statistics.max_drawdown) < D("1e-15")
    assert last.positions["DOGE/USD"]["quantity"] == "10000"
    assert (
        D(last.available_balance["USD"]) + D(last.positions["DOGE/USD"]["market_value"])
        == last.total_equity
    )


def test_cli_equity_json_csv_and_plot(loaded, capsys, tmp_path):
    url = loaded.url.render_as_string(hide_password=False)
    base = ["--database-url", url, "equity", "--start-capital", "10000", "--currency", "USD"]
    assert run(args=[*base, "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["days"][-1]["date"] == "2024-05-31"
    assert run(args=[*base, "--format", "csv", "--plot", str(tmp_path / "equity.png")]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == (
        "date,equity,realized_pnl,unrealized_pnl,fees,drawdown,flows,income,daily_return"
    )
    assert len(lines) == 146
    assert (tmp_path / "equity.png").stat().st_size > 10_000
    with pytest.raises(SystemExit) as info:
        run(args=[*base[:-1], "EUR"])
    assert info.value.code == 2
    assert "no price of BTC in EUR" in capsys.readouterr().err


def test_plot_without_matplotlib_fails_before_any_output(loaded, capsys, monkeypatch):
    from gal_friday.cli.rendering import plotting
    from gal_friday.cli.rendering.plotting import PlottingUnavailableError

    def unavailable():
        raise PlottingUnavailableError(
            "--plot needs matplotlib: pip install 'gal-friday-persistence[plot]'"
        )

    # the one gate --plot passes before any work, for equity as for report
    monkeypatch.setattr(plotting, "require_matplotlib", unavailable)
    url = loaded.url.render_as_string(hide_password=False)
    with pytest.raises(SystemExit) as info:
        run(
            args=[
                "--database-url",
                url,
                "equity",
                "--start-capital",
                "10000",
                "--currency",
                "USD",
                "--plot",
                "x.png",
            ]
        )
    assert info.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "needs matplotlib" in captured.err
