"""``gal-friday positions``, ``balances`` and ``risk`` on the bundled sample, SQLite and PostgreSQL.

The sample holds five closed round trips and 10,000 DOGE bought at 0.1519 for a 2.4304 USD
fee (tests/e2e/test_analytics_cli.py checks the same figures through the equity curve).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from tests.e2e.test_cli import run

SAMPLE = Path(__file__).resolve().parents[2] / "importers" / "samples" / "kraken-trades-sample.csv"


@pytest.fixture
def sample(database_url):
    result = run(database_url, "import", str(SAMPLE), "--format", "kraken-trades")
    assert result.returncode == 0, result.stderr
    return database_url


def test_positions_and_balances_in_every_format(sample):
    result = run(sample, "positions", "--mark", "XDGUSD=0.158", "--format", "json")
    assert result.returncode == 0, result.stderr
    (doge,) = json.loads(result.stdout)["positions"]
    # 10,000 DOGE from 0.1519 marked 0.158: (0.158 - 0.1519) x 10,000 = 61
    assert doge == {
        "exchange": "kraken",
        "trading_pair": "DOGE/USD",
        "side": "LONG",
        "quantity": "10000",
        "average_entry_price": "0.1519",
        "realized_pnl": "-2.4304",
        "opened_at": "2024-05-06T11:11:11+00:00",
        "open_trades": 1,
        "mark_price": "0.158",
        "unrealized_pnl": "61",
        "market_value": "1580",
    }
    rows = list(csv.DictReader(io.StringIO(run(sample, "balances", "--format", "csv").stdout)))
    # USD: the closed trades' 130.92134 less the DOGE bought, 1,519 + 2.4304 fee
    assert [(r["asset"], r["amount"]) for r in rows] == [("DOGE", "10000"), ("USD", "-1390.50906")]
    table = run(sample, "positions")
    assert table.returncode == 0 and "DOGE/USD" in table.stdout and "10000" in table.stdout
    assert "-1390.51" in run(sample, "balances").stdout
    assert json.loads(run(sample, "balances", "--exchange", "Kraken", "--format", "json").stdout)[
        "balances"
    ][0] == {"exchange": "kraken", "asset": "DOGE", "amount": "10000"}


def test_risk_with_a_reset_hour_and_a_week_start(sample):
    # Saturday 2024-03-30 10:00 with days from 17:00: the day began Friday 29 March 17:00,
    # after the XRP/USD exit at 18:46 that day (-22.94022); the month (from 1 March 17:00)
    # adds BTC/USD's +118.10496 of 4 March
    result = run(
        sample,
        "risk",
        "--at",
        "2024-03-30T10:00",
        "--reset-hour",
        "17",
        "--week-start",
        "sun",
        "--mark",
        "DOGE/USD=0.158",
        "--format",
        "json",
    )
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    assert (figures["reset_hour"], figures["week_start"]) == (17, "sun")
    day = figures["realized_pnl"]["day"]
    assert (day["since"], day["trades"], day["by_quote"]) == (
        "2024-03-29T17:00:00+00:00",
        1,
        {"USD": "-22.94022"},
    )
    assert figures["realized_pnl"]["week"]["since"] == "2024-03-24T17:00:00+00:00"
    assert figures["realized_pnl"]["month"]["by_quote"] == {"USD": "95.16474"}
    # as of then, the newest exit (XRP/USD) lost after three wins
    assert figures["streak"]["kind"] == "LOSSES" and figures["streak"]["length"] == 1
    assert figures["exposure"]["totals"] == {"USD": "1580"}
    assert figures["drawdowns"] is None

    default = json.loads(run(sample, "risk", "--at", "2024-03-30T10:00", "--format", "json").stdout)
    assert default["realized_pnl"]["day"] == {
        "since": "2024-03-30T00:00:00+00:00",
        "until": "2024-03-31T00:00:00+00:00",
        "trades": 0,
        "by_quote": {},
    }
    assert default["exposure"]["unmarked"] == ["DOGE/USD"]
    # now: the last two exits lost, -22.94022 - 28.2216
    now = run(sample, "risk", "--format", "csv")
    assert now.returncode == 0, now.stderr
    assert "streak,LOSSES,,2\nstreak,pnl,USD,-51.16182\n" in now.stdout
    table = run(sample, "risk", "--reset-hour", "17")
    assert table.returncode == 0 and "current streak" in table.stdout and "2 losses" in table.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["positions", "--mark", "BTCUSDX"], "--mark: 'BTCUSDX' is not PAIR=PRICE"),
        (["positions", "--mark", "BTC/USD=abc"], "--mark BTC/USD: 'abc' is not a decimal number"),
        (["risk", "--mark", "BTC/USD=-1"], "--mark BTC/USD: the price must be positive"),
        (["risk", "--at", "yesterday"], "--at: 'yesterday' is not an ISO date"),
        (["risk", "--reset-hour", "24"], "24 is not in the range 0<=x<=23"),
    ],
)
def test_bad_options_exit_2_naming_the_option(sample, args, message):
    result = run(sample, *args)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
