"""``gal-friday report`` stars the pairs whose fees come from Kraken's trades.csv alone."""

from __future__ import annotations

import csv
import io

from tests.e2e.test_cli import FIXTURES, run

TRADES = FIXTURES / "kraken-ledgers-account-trades.csv"
LEDGER = FIXTURES / "kraken-ledgers-2021.csv"
CCXT = FIXTURES / "ccxt-trades.json"
NOTE = "* fees from trades.csv only: ledgers.csv corrects them"


def starred(url) -> tuple[set[str], bool]:
    """The starred pairs of the report table, and whether the note is under it."""
    table = run(url, "report")
    assert table.returncode == 0, table.stderr
    assert max(len(line) for line in table.stdout.splitlines()) <= 120  # a pipe: 120 columns
    words = table.stdout.split()
    return {w[:-1] for w in words if w.endswith("*") and "/" in w}, NOTE in " ".join(words)


def csv_marks(url) -> dict[str, str]:
    document = run(url, "report", "--format", "csv")
    assert document.returncode == 0, document.stderr
    rows = csv.DictReader(io.StringIO(document.stdout))
    return {r["trading_pair"]: r["fees_from_trades_csv_only"] for r in rows}


def test_trades_csv_pairs_are_starred_until_the_ledger_is_imported(database_url):
    for path, fmt in [(CCXT, "ccxt-trades"), (TRADES, "kraken-trades")]:
        assert run(database_url, "import", str(path), "--format", fmt).returncode == 0
    assert starred(database_url) == ({"BTC/USD", "DOGE/BTC", "XRP/USD"}, True)
    assert csv_marks(database_url) == {
        "BTC/USD": "true",
        "DOGE/BTC": "true",
        "XRP/USD": "true",
        "XRP/USDT": "false",  # binance, from ccxt: never marked
        "TOTAL": "",
    }
    ledger = run(database_url, "import", str(LEDGER), "--format", "kraken-ledgers")
    assert ledger.returncode == 0, ledger.stderr
    assert starred(database_url) == (set(), False)
    assert set(csv_marks(database_url).values()) == {"false", ""}
