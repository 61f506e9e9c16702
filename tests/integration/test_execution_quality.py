"""Execution figures of a stored bot session, by hand, on SQLite and PostgreSQL (docs/execution.md)."""

from __future__ import annotations

from decimal import Decimal

from gal_friday.domain import values as v
from gal_friday.persistence.bootstrap import unit_of_work_factory
from gal_friday.services.execution import trade_quality
from tests.support.trading_session import store_session

D = Decimal


def test_the_worked_example_and_its_neighbours(database_url):
    url = database_url.render_as_string(hide_password=False)
    signals = store_session(url)
    momentum, reversion, unsignalled = trade_quality(unit_of_work_factory(url))

    # the worked example of docs/execution.md
    assert momentum.signal_id == signals["momentum"]
    assert momentum.strategy_id == "momentum"
    e = momentum.execution
    assert (e.signal_edge, e.entry_slippage, e.exit_slippage, e.fees) == (
        D(22),
        D("0.2"),
        D(-3),
        D("0.84"),
    )
    assert e.realized_pnl == D("18.36")
    assert (e.entry_slippage_bps, e.exit_slippage_bps) == (D("9.90"), D("-133.93"))
    assert e.exit_reference.source == "candle open" and e.exit_reference.price == D(112)
    assert e.order_entry_reference.source == "limit"
    assert momentum.r_multiple == D("1.8735")
    # lowest low 100.4 in the 05:00 candle, highest high 112.6 around the 12:00 candle
    assert (momentum.excursion.mae, momentum.excursion.mfe) == (D(1), D("23.4"))
    assert momentum.excursion.coverage == "full"

    # a SHORT with limit orders at both ends: entry 0.2 better than 108, exit 0.1 under 104
    r = reversion.execution
    assert reversion.trade.side.value == "SHORT"
    assert (r.signal_edge, r.entry_slippage, r.exit_slippage, r.fees) == (
        D(4),
        D("0.2"),
        D("0.1"),
        D("0.2"),
    )
    assert reversion.r_multiple == D("1.0789")  # 4.1 / (112 - 108.2)

    # no signal: the decomposition is not made and says why
    assert unsignalled.signal_id is None and unsignalled.execution.missing == ("no signal",)
    assert not unsignalled.execution.decomposed
    assert unsignalled.execution.exit_slippage is not None  # the market exit has its candle
    with v.exact():
        for quality in (momentum, reversion):
            x = quality.execution
            assert x.signal_edge + x.entry_slippage + x.exit_slippage - x.fees == x.realized_pnl


def test_a_period_keeps_the_trades_exited_inside_it(database_url):
    from datetime import UTC, datetime

    url = database_url.render_as_string(hide_password=False)
    store_session(url)
    inside = trade_quality(
        unit_of_work_factory(url),
        since=datetime(2024, 3, 4, tzinfo=UTC),
        until=datetime(2024, 3, 9, tzinfo=UTC),
    )
    assert [q.strategy_id for q in inside] == ["mean-reversion"]


def test_report_execution_groups_sum_to_the_reports_groups(database_url):
    """`report --by ... --execution` agrees with `report --by ...` group by group."""
    import json

    from tests.e2e.test_cli import run

    url = database_url.render_as_string(hide_password=False)
    store_session(url)
    for by in ("strategy", "exit-reason", "signal"):
        result = run(url, "report", "--by", by, "--execution", "--format", "json")
        assert result.returncode == 0, result.stderr
        document = json.loads(result.stdout)
        plain = {(g["group"], g["currency"]): g["realized_pnl"] for g in document["groups"]}
        execution = {(g["group"], g["currency"]): g for g in document["execution"]}
        assert {key: g["realized_pnl"] for key, g in execution.items()} == plain
        total = sum(D(g["realized_pnl"]) for g in document["execution"])
        assert total == D(document["totals"]["USD"]["realized_pnl"]) == D("21.66")
    by_strategy = json.loads(
        run(url, "report", "--by", "strategy", "--execution", "--format", "json").stdout
    )
    momentum = next(g for g in by_strategy["execution"] if g["group"] == "momentum")
    assert (momentum["signal_edge"], momentum["entry_slippage"], momentum["exit_slippage"]) == (
        "22",
        "0.2",
        "-3",
    )
    assert momentum["decomposed_fees"] == "0.84" and momentum["mean_r_multiple"] == "1.8735"
    unattributed = next(g for g in by_strategy["execution"] if g["group"] is None)
    assert unattributed["decomposed"] == 0 and unattributed["missing"] == {"no signal": 1}
    by_reason = json.loads(
        run(url, "report", "--by", "exit-reason", "--execution", "--format", "json").stdout
    )
    assert {g["group"]: g["trades"] for g in by_reason["execution"]} == {
        "MANUAL_CLOSE": 1,
        "TAKE_PROFIT_HIT": 2,
    }
    table = run(url, "report", "--by", "exit-reason", "--execution")
    csv_text = run(url, "report", "--by", "strategy", "--execution", "--format", "csv")
    assert table.returncode == csv_text.returncode == 0
    assert "Execution by group" in table.stdout
    assert csv_text.stdout.splitlines()[0].startswith("by,group,currency,trades")
    refused = run(url, "report", "--execution")
    assert refused.returncode == 2 and "--by strategy" in refused.stderr
