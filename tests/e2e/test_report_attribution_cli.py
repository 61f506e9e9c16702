"""`report --by strategy|signal|exit-reason` and the realized PnL of open trades, through the
console script: the bundled sample (unattributed) beside live trades of two strategies."""

from __future__ import annotations

import csv
import io
import json
import uuid
from decimal import Decimal as D
from pathlib import Path

import pytest

from gal_friday.domain import Signal
from gal_friday.persistence.bootstrap import unit_of_work_factory
from gal_friday.services.live_fills import record_fill
from tests.e2e.test_cli import run
from tests.factories import at, make_fill, make_order

SAMPLES = Path(__file__).resolve().parents[2] / "importers" / "samples"
SIGNAL = uuid.UUID("0b7f7c40-3c9e-4d8e-a3a0-3b1c5d9e2f10")


def _live_trades(url) -> None:
    """ETH/USD: a `trend` signal's trade closed by a take profit, a `scalp` trade closed by a
    stop loss, then an open `scalp` position that sold half (realized, still open)."""
    uow_factory = unit_of_work_factory(url)
    with uow_factory() as uow:
        uow.signals.add(
            Signal(
                trading_pair="ETH/USD",
                exchange="kraken",
                strategy_id="trend",
                side="BUY",
                entry_type="MARKET",
                signal_id=SIGNAL,
            )
        )
        plan = [
            ("BUY", {"signal_id": SIGNAL, "reason": "ENTRY"}, "2", "2000", 1),
            ("SELL", {"strategy_id": "trend", "reason": "TAKE_PROFIT_HIT"}, "2", "2100.5", 2),
            ("BUY", {"strategy_id": "scalp", "reason": "ENTRY"}, "1", "2050", 3),
            ("SELL", {"strategy_id": "scalp", "reason": "STOP_LOSS_HIT"}, "1", "2010.25", 4),
            ("BUY", {"strategy_id": "scalp", "reason": "ENTRY"}, "4", "2000", 5),
            ("SELL", {"strategy_id": "scalp", "reason": "TAKE_PROFIT_HIT"}, "2", "2200", 6),
        ]
        orders = []
        for side, attribution, quantity, _, _ in plan:
            order = make_order(
                trading_pair="ETH/USD",
                side=side,
                order_type="MARKET",
                limit_price=None,
                quantity_ordered=D(quantity),
                **attribution,
            )
            uow.orders.add(order)
            orders.append(order)
        uow.commit()
    for n, (order, (side, _, quantity, price, minute)) in enumerate(zip(orders, plan, strict=True)):
        fill = make_fill(
            f"live-{n}",
            trading_pair="ETH/USD",
            side=side,
            quantity_filled=D(quantity),
            fill_price=D(price),
            commission=D("0.5"),
            filled_at=at(60 * 24 * 400 + minute),  # after the sample's history
        )
        record_fill(uow_factory, fill, client_order_id=order.client_order_id)


@pytest.fixture
def attributed(database_url):
    sample = run(
        database_url,
        "import",
        str(SAMPLES / "kraken-trades-sample.csv"),
        "--format",
        "kraken-trades",
    )
    assert sample.returncode == 0, sample.stderr
    _live_trades(database_url)
    return database_url


def _json(url, *args):
    result = run(url, "report", "--format", "json", *args)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("by", ["strategy", "signal", "exit-reason"])
def test_groups_sum_exactly_to_the_totals_and_unattributed_is_shown(attributed, by):
    data = _json(attributed, "--by", by)
    total = data["totals"]["USD"]
    groups = [g for g in data["groups"] if g["currency"] == "USD"]
    assert sum(D(g["realized_pnl"]) for g in groups) == D(total["realized_pnl"])
    assert sum(D(g["total_commission"]) for g in groups) == D(total["total_commission"])
    assert sum(g["trades"] for g in groups) == total["trades"]
    assert sum(g["wins"] for g in groups) == total["wins"]
    unattributed = [g for g in groups if not g["attributed"]]
    assert len(unattributed) == 1 and unattributed[0]["group"] is None
    assert unattributed[0]["trades"] >= 5  # the sample's closed trades

    rows = list(
        csv.DictReader(io.StringIO(run(attributed, "report", "--format", "csv", "--by", by).stdout))
    )
    named = [r for r in rows if r["group"] != "TOTAL" and r["currency"] == "USD"]
    [csv_total] = [r for r in rows if r["group"] == "TOTAL" and r["currency"] == "USD"]
    assert sum(D(r["realized_pnl"]) for r in named) == D(csv_total["realized_pnl"])
    assert csv_total["realized_pnl"] == total["realized_pnl"]

    table = run(attributed, "report", "--by", by)
    assert table.returncode == 0, table.stderr
    assert "(unattributed)" in table.stdout and "Closed trades by" in table.stdout


def test_strategies_and_reasons_of_the_live_trades(attributed):
    strategies = {g["group"]: g for g in _json(attributed, "--by", "strategy")["groups"]}
    # trend: (2100.5 - 2000) * 2 - 1 fee; scalp: (2010.25 - 2050) - 1 fee
    assert strategies["trend"]["realized_pnl"] == "200"
    assert strategies["scalp"]["realized_pnl"] == "-40.75"
    reasons = {g["group"]: g["trades"] for g in _json(attributed, "--by", "exit-reason")["groups"]}
    assert reasons["TAKE_PROFIT_HIT"] == 1 and reasons["STOP_LOSS_HIT"] == 1
    signals = {g["group"] for g in _json(attributed, "--by", "signal")["groups"]}
    assert str(SIGNAL) in signals


def test_open_trades_realized_pnl_is_totalled_beside_the_closed_trades_and_kept_by_rebuild(
    attributed,
):
    data = _json(attributed)
    eth = next(p for p in data["pairs"] if p["trading_pair"] == "ETH/USD")
    # half of the open 4 ETH sold: 2 * (2200 - 2000) - two 0.5 fees
    assert eth["open_realized_pnl"] == "399"
    held = sum(D(p["open_realized_pnl"]) for p in data["pairs"])  # the sample has some too
    assert held != 0 and held != D(399)
    realized = data["realized"]["USD"]
    assert D(realized["open_realized_pnl"]) == held
    assert D(realized["realized_pnl"]) == D(data["totals"]["USD"]["realized_pnl"]) + held
    assert data["totals"]["USD"]["all_realized_pnl"] == realized["realized_pnl"]
    table = run(attributed, "report")
    assert "Realized PnL per currency" in table.stdout
    csv_rows = list(
        csv.DictReader(io.StringIO(run(attributed, "report", "--format", "csv").stdout))
    )
    [total] = [r for r in csv_rows if r["trading_pair"] == "TOTAL"]
    assert D(total["open_realized_pnl"]) == held

    before = _json(attributed, "--by", "strategy")
    rebuilt = run(attributed, "trades", "rebuild")
    assert rebuilt.returncode == 0, rebuilt.stderr
    after = _json(attributed, "--by", "strategy")
    assert after == before
    assert {g["group"] for g in after["groups"]} == {"trend", "scalp", None}
