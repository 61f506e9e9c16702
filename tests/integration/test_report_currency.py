"""`report --currency`: USD and BTC pairs converted with stored candles, on both databases."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal as D
from pathlib import Path

import pytest
from sqlalchemy import delete

from gal_friday.cli.main import run
from gal_friday.cli.rendering.report_formats import report_dict
from gal_friday.domain.errors import MissingConversionRateError
from gal_friday.persistence.bootstrap import unit_of_work_factory
from gal_friday.persistence.tables.definitions import candles
from gal_friday.persistence.unit_of_work import UnitOfWork
from gal_friday.services.importing import import_history
from gal_friday.services.prices import import_prices
from gal_friday.services.reporting import build_report

SAMPLES = Path(__file__).resolve().parents[2] / "importers" / "samples"
HEADER = (SAMPLES / "kraken-trades-sample.csv").read_text().splitlines()[0]
# one ETH/BTC round trip: bought 2024-02-10, sold 2024-03-04 12:00 (quoted in BTC)
ETH_BTC = "\n".join(
    [
        HEADER,
        '"T90001-ETH","O90001","XETHXXBT","forex","crypto","2024-02-10 10:00:00","buy","limit",'
        '"0.05000","0.50000","0.00080","10","0.00000","","","","","","","","","","",""',
        '"T90002-ETH","O90002","XETHXXBT","forex","crypto","2024-03-04 12:00:00","sell","limit",'
        '"0.05500","0.55000","0.00088","10","0.00000","","","","","","","","","","",""',
    ]
)


def close_of(day_open_unix: int) -> D:
    """The close of the bundled BTC/USD daily candle opened at that time (read from the file)."""
    for line in (SAMPLES / "XBTUSD_1440.csv").read_text().splitlines():
        fields = line.split(",")
        if int(fields[0]) == day_open_unix:
            return D(fields[4])
    raise AssertionError(day_open_unix)


@pytest.fixture
def two_quotes(engine, tmp_path):
    eth = tmp_path / "eth-btc.csv"
    eth.write_text(ETH_BTC + "\n")
    import_history(
        unit_of_work_factory(engine), SAMPLES / "kraken-trades-sample.csv", "kraken-trades"
    )
    import_history(unit_of_work_factory(engine), eth, "kraken-trades")
    import_prices(unit_of_work_factory(engine), SAMPLES / "XBTUSD_1440.csv", "kraken-ohlcvt")
    return engine


def test_btc_pair_is_converted_at_its_exit_day_and_totals_are_one_currency(two_quotes):
    uows = unit_of_work_factory(two_quotes)
    plain = report_dict(build_report(uows), statistics=True)
    usd = report_dict(build_report(uows, currency="usd"), statistics=True)
    assert set(plain["totals"]) == {"BTC", "USD"} and "currency" not in plain
    btc_pnl = D(plain["totals"]["BTC"]["realized_pnl"])
    assert btc_pnl == D("0.04832")  # 0.55 - 0.5 - 0.0008 - 0.00088
    assert usd["currency"] == "USD" and list(usd["totals"]) == ["USD"]
    # exited 2024-03-04 12:00: the daily candle opened 2024-03-04 00:00 closes at the end of that day
    eth_usd = btc_pnl * close_of(1709510400)
    eth = next(p for p in usd["pairs"] if p["trading_pair"] == "ETH/BTC")
    assert D(eth["realized_pnl"]) == eth_usd and eth["quote_currency"] == "BTC"
    assert D(eth["total_commission"]) == D("0.00168") * close_of(1709510400)
    # entry cash at the entry day's close (2024-02-10): pnl_pct follows both rates
    entry_cash_usd = D("0.5008") * close_of(1707523200)
    assert eth["pnl_pct"] == format((100 * eth_usd / entry_cash_usd).quantize(D("1e-6")), "f")
    usd_pnl = D(plain["totals"]["USD"]["realized_pnl"])
    assert D(usd["totals"]["USD"]["realized_pnl"]) == usd_pnl + eth_usd
    assert usd["totals"]["USD"]["trades"] == 6
    stats = usd["totals"]["USD"]["statistics"]
    assert D(stats["largest_win"]) == max(D(p["best_trade"]) for p in usd["pairs"])
    assert D(stats["expectancy"]) == ((usd_pnl + eth_usd) / 6).quantize(D("1e-18"))


def test_missing_rate_is_exit_2_naming_the_pair_and_time(two_quotes):
    url = two_quotes.url.render_as_string(hide_password=False)
    assert run(args=["--database-url", url, "report", "--currency", "USD", "--format", "json"]) == 0
    with pytest.raises(MissingConversionRateError) as raised:
        build_report(unit_of_work_factory(two_quotes), currency="EUR")
    message = str(raised.value)
    assert "(kraken) trade exited 2024-" in message and "EUR" in message


def test_missing_rate_on_the_cli(two_quotes, capsys):
    url = two_quotes.url.render_as_string(hide_password=False)
    with pytest.raises(SystemExit) as exited:
        run(args=["--database-url", url, "report", "--currency", "EUR"])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1 and "trade exited 2024-" in err


def test_no_candle_closed_by_the_exit_day_names_the_pair_and_exit_time(two_quotes):
    with UnitOfWork(two_quotes) as uow:
        uow.session.execute(
            delete(candles).where(candles.c.open_time < datetime(2024, 3, 10, tzinfo=UTC))
        )
        uow.commit()
    uows = unit_of_work_factory(two_quotes)
    with pytest.raises(MissingConversionRateError) as raised:
        build_report(uows, "ETH/BTC", currency="USD")
    assert "ETH/BTC (kraken) trade exited 2024-03-04T12:00:00+00:00" in str(raised.value)
    assert "BTC/USD" in str(raised.value)
    # a period after the missing days needs no rate then
    after = build_report(uows, "ETH/BTC", since=datetime(2024, 4, 1, tzinfo=UTC), currency="USD")
    assert after.total_trades == 0


def test_report_json_without_currency_is_unchanged(two_quotes):
    report = build_report(unit_of_work_factory(two_quotes))
    assert json.dumps(report_dict(report)).count('"statistics"') == 0


def test_prices_exchange_is_matched_as_stored_ids_are(two_quotes):
    """`--prices-exchange Kraken` names the candles stored as `kraken` (it found none before)."""
    report = build_report(
        unit_of_work_factory(two_quotes), "ETH/BTC", currency="USD", prices_exchange="Kraken"
    )
    assert report.pairs[0].realized_pnl == D("0.04832") * close_of(1709510400)
