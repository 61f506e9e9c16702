"""The report marks pairs whose fees come from Kraken's trades.csv alone (SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

from gal_friday.cli.rendering.report_formats import report_dict
from gal_friday.persistence.bootstrap import unit_of_work_factory
from gal_friday.services.importing import import_history
from gal_friday.services.ledger_import import import_ledger
from gal_friday.services.reporting import build_report

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "importers"
TRADES = FIXTURES / "kraken-ledgers-account-trades.csv"
LEDGER = FIXTURES / "kraken-ledgers-2021.csv"
CCXT = FIXTURES / "ccxt-trades.json"  # binance: fees from the exchange's own API


def marks(engine) -> dict[tuple[str, str], bool]:
    """``(exchange, pair) -> fees_from_trades_csv_only`` of every pair in the JSON report."""
    pairs = report_dict(build_report(unit_of_work_factory(engine)))["pairs"]
    return {(p["exchange"], p["trading_pair"]): p["fees_from_trades_csv_only"] for p in pairs}


def import_trades(engine) -> None:
    import_history(unit_of_work_factory(engine), TRADES, "kraken-trades")


def import_ccxt(engine) -> None:
    import_history(unit_of_work_factory(engine), CCXT, "ccxt-trades")


def test_trades_csv_alone_marks_its_pairs_and_the_ledger_clears_them(engine):
    import_trades(engine)
    assert marks(engine) == {
        ("kraken", "BTC/USD"): True,
        ("kraken", "DOGE/BTC"): True,
        ("kraken", "XRP/USD"): True,
    }
    import_ledger(unit_of_work_factory(engine), LEDGER)
    after = marks(engine)
    assert ("kraken", "ETH/USD") in after  # built from the ledger alone
    assert set(after.values()) == {False}


def test_a_ccxt_import_is_never_marked(engine):
    import_ccxt(engine)
    ccxt_pairs = set(marks(engine))
    assert ccxt_pairs and {exchange for exchange, _ in ccxt_pairs} == {"binance"}
    assert set(marks(engine).values()) == {False}
    import_trades(engine)  # a Kraken account without its ledger beside it
    assert {key for key, marked in marks(engine).items() if marked} == {
        ("kraken", "BTC/USD"),
        ("kraken", "DOGE/BTC"),
        ("kraken", "XRP/USD"),
    }
    import_ledger(unit_of_work_factory(engine), LEDGER)
    assert not any(marks(engine)[key] for key in ccxt_pairs)
    assert set(marks(engine).values()) == {False}
