"""``gal-friday equity`` on a Kraken account with its ledger: returns, flows and notes."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.test_cli import run

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
ACCOUNT = FIXTURES / "importers" / "accounts" / "eur_2026"
ADA = FIXTURES / "equity" / "ADAEUR_1440.csv"
BTC = FIXTURES / "equity" / "XBTEUR_1440.csv"


def ok(url, *args: str) -> str:
    result = run(url, *args)
    assert result.returncode == 0, result.stderr
    return result.stdout


def prices(url, ada: Path = ADA) -> None:
    ok(url, "prices", "import", str(ada), "--format", "kraken-ohlcvt")
    ok(url, "prices", "import", str(BTC), "--format", "kraken-ohlcvt")


def gapped_ada(tmp_path: Path) -> Path:
    """ADA/EUR without Jan 13 to Jan 17 and ending on Jan 25."""
    lines = ADA.read_text().splitlines()
    path = tmp_path / "ADAEUR_1440.csv"
    path.write_text("\n".join(lines[:12] + lines[17:25]) + "\n")
    return path


def test_equity_json_shows_twr_xirr_flows_and_notes(database_url):
    ok(database_url, "import", str(ACCOUNT / "ledgers.csv"), "--format", "kraken-ledgers")
    ok(database_url, "import", str(ACCOUNT / "trades.csv"), "--format", "kraken-trades")
    prices(database_url)
    document = json.loads(ok(database_url, "equity", "--currency", "EUR", "--format", "json"))
    assert (document["source"], document["start_capital"]) == ("ledger", None)
    returns = document["returns"]
    assert returns["twr"] == document["statistics"]["total_return"]
    assert float(returns["xirr"]) > float(returns["twr"]) > 0  # compared only here, in a test
    assert returns["xirr_tolerance"] == "1e-15"
    assert [(f["asset"], f["amount"]) for f in document["flows"]] == [
        ("EUR", "5000"),
        ("EUR", "-1000"),
    ]
    assert document["days"][0]["daily_return"] == "0"  # the deposit's day
    notes = document["notes"]
    assert notes["end"] == {
        "last_day": "2026-01-31",
        "pair": "ADA/EUR",
        "fills_after": 0,
        "rows_after": 0,
    }
    assert notes["messages"][0].startswith("opening balances from the ledger: none")
    table = ok(database_url, "equity", "--currency", "EUR")
    assert "time-weighted (TWR)" in table and "money-weighted (XIRR" in table
    assert "note: the curve ends on 2026-01-31: ADA/EUR's candles end there" in table


def test_a_short_series_says_what_lies_past_its_end(database_url, tmp_path):
    ok(database_url, "import", str(ACCOUNT / "ledgers.csv"), "--format", "kraken-ledgers")
    prices(database_url, gapped_ada(tmp_path))
    document = json.loads(ok(database_url, "equity", "--currency", "EUR", "--format", "json"))
    notes = document["notes"]
    assert notes["end"] == {
        "last_day": "2026-01-25",
        "pair": "ADA/EUR",
        "fills_after": 0,
        "rows_after": 1,  # the withdrawal of Jan 28
    }
    assert "1 ledger rows lie past its end" in " ".join(notes["messages"])
    # ADA was sold out on Jan 12: its gap values nothing
    assert notes["stale_prices"] == []


def test_a_close_carried_over_more_days_than_allowed_is_noted(database_url, tmp_path):
    rows = (ACCOUNT / "ledgers.csv").read_text().splitlines()
    held = tmp_path / "ledgers.csv"  # 5000 EUR in, 1000 ADA bought on Jan 5 and kept
    held.write_text("\n".join(rows[:4]) + "\n")
    ok(database_url, "import", str(held), "--format", "kraken-ledgers")
    prices(database_url, gapped_ada(tmp_path))
    result = run(database_url, "equity", "--currency", "EUR", "--format", "csv")
    assert result.returncode == 0, result.stderr
    assert (
        "note: ADA/EUR: the close of 2026-01-12 is carried forward over 5 days "
        "(2026-01-13 to 2026-01-17; more than 3)" in result.stderr
    )
    assert result.stdout.splitlines()[0].endswith("flows,income,daily_return")
    document = json.loads(
        ok(
            database_url,
            "equity",
            "--currency",
            "EUR",
            "--format",
            "json",
            "--max-stale-days",
            "5",
        )
    )
    assert document["notes"]["stale_prices"] == []
    document = json.loads(ok(database_url, "equity", "--currency", "EUR", "--format", "json"))
    assert document["notes"]["stale_prices"] == [
        {
            "pair": "ADA/EUR",
            "close_day": "2026-01-12",
            "first_day": "2026-01-13",
            "last_day": "2026-01-17",
            "days": 5,
        }
    ]


def test_a_start_capital_below_what_the_fills_spent_is_reported(database_url):
    ok(database_url, "import", str(ACCOUNT / "trades.csv"), "--format", "kraken-trades")
    prices(database_url)
    missing = run(database_url, "equity", "--currency", "EUR")
    assert missing.returncode == 2 and "no ledger is stored" in missing.stderr
    document = json.loads(
        ok(
            database_url,
            "equity",
            "--currency",
            "EUR",
            "--start-capital",
            "100",
            "--format",
            "json",
        )
    )
    (cash,) = [n for n in document["notes"]["negative_balances"] if n["asset"] == "EUR"]
    assert cash["first_at"] == "2026-01-05T10:00:00+00:00"
    assert any(
        line.startswith("EUR goes negative at 2026-01-05T10:00:00+00:00")
        and "--start-capital 100 does not cover" in line
        for line in document["notes"]["messages"]
    )
