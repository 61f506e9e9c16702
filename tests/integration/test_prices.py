"""Candle imports into both databases: exact, idempotent, refused whole on a changed candle."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from gal_friday.cli.main import run
from gal_friday.importers import ImportFormatError
from gal_friday.persistence.bootstrap import unit_of_work_factory
from gal_friday.persistence.tables import definitions as t
from gal_friday.persistence.unit_of_work import UnitOfWork
from gal_friday.services import prices as p

SAMPLES = Path(__file__).resolve().parents[2] / "importers" / "samples"
ROWS = "1704067200,42000.1,43000,41000,42500.123456789012345678,12.5,100\n1704153600,42500,44000,42000,43900,10,90\n"


def count(engine) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(t.candles)))


def test_kraken_file_imports_exactly_and_once(engine, tmp_path):
    path = tmp_path / "XBTUSD_1440.csv"
    path.write_text(ROWS)
    first = p.import_prices(unit_of_work_factory(engine), path, "kraken-ohlcvt")
    assert (first.trading_pair, first.interval, first.candles_added) == ("BTC/USD", "1d", 2)
    again = p.import_prices(
        unit_of_work_factory(engine), path, "kraken-ohlcvt", pair="btc/usd", interval="1d"
    )
    assert (again.candles_added, again.candles_already_stored) == (0, 2)
    with UnitOfWork(engine) as uow:
        closes = uow.candles.closes("kraken", "BTC/USD")
    assert [c for _, c in closes] == [Decimal("42500.123456789012345678"), Decimal("43900")]
    assert closes[0][0].isoformat() == "2024-01-02T00:00:00+00:00"
    assert count(engine) == 2


def test_changed_candle_is_refused_naming_the_line_and_nothing_is_stored(engine, tmp_path):
    path = tmp_path / "XBTUSD_1440.csv"
    path.write_text(ROWS)
    p.import_prices(unit_of_work_factory(engine), path, "kraken-ohlcvt")
    changed = tmp_path / "XBTUSD_1440b.csv"
    changed.write_text("1703980800,41000,42000,40000,42000,1,1\n" + ROWS.replace("43900", "43901"))
    with pytest.raises(
        ImportFormatError, match=r"XBTUSD_1440b.csv:3: .*already stored with other figures"
    ):
        p.import_prices(
            unit_of_work_factory(engine), changed, "kraken-ohlcvt", pair="BTC/USD", interval="1d"
        )
    assert count(engine) == 2  # the new first line was rolled back with the rest


def test_same_key_twice_in_one_file_with_other_figures_is_refused(engine, tmp_path):
    path = tmp_path / "prices.json"
    path.write_text(
        "[[1704067200000, 1, 2, 0.5, 1.5, 1], [1704067200000, 1, 2, 0.5, 1.5, 1], [1704067200000, 1, 2, 0.5, 1.6, 1]]"
    )
    with pytest.raises(ImportFormatError, match="entry 2: .*close 1.5, here 1.6"):
        p.import_prices(
            unit_of_work_factory(engine), path, "ccxt-ohlcv", pair="BTC/USD", interval="1d"
        )
    assert count(engine) == 0


def test_batches_across_a_long_file(engine, tmp_path, monkeypatch):
    monkeypatch.setattr(p, "BATCH", 3)
    lines = [f"{1704067200 + i * 3600},1,2,0.5,1.5,1,1" for i in range(10)]
    path = tmp_path / "XBTUSD_60.csv"
    path.write_text("\n".join(lines) + "\n" + lines[4] + "\n")
    summary = p.import_prices(unit_of_work_factory(engine), path, "kraken-ohlcvt")
    assert (summary.candles_added, summary.candles_already_stored, summary.interval) == (
        10,
        1,
        "1h",
    )


def test_option_conflicting_with_the_file_name_is_an_error():
    sample = SAMPLES / "XBTUSD_1440.csv"
    with pytest.raises(ImportFormatError, match="--pair ETH/USD but the file name is of BTC/USD"):
        p.resolve_series(sample, "kraken-ohlcvt", "ETH/USD", None)
    with pytest.raises(ImportFormatError, match="--interval 1h but the file name is of 1d candles"):
        p.resolve_series(sample, "kraken-ohlcvt", None, "1h")
    assert p.resolve_series(sample, "kraken-ohlcvt", "XBT/USD", "1d") == ("BTC/USD", 86400)


def test_a_name_that_is_not_a_kraken_pair_needs_the_options(engine, tmp_path):
    path = tmp_path / "prices_60.csv"
    path.write_text(ROWS)
    with pytest.raises(ImportFormatError, match="give --pair and --interval"):
        p.import_prices(unit_of_work_factory(engine), path, "kraken-ohlcvt")
    summary = p.import_prices(
        unit_of_work_factory(engine), path, "kraken-ohlcvt", pair="XRP/USD", interval="1h"
    )
    assert (summary.trading_pair, summary.interval, summary.candles_added) == ("XRP/USD", "1h", 2)


def test_ccxt_needs_pair_and_interval():
    with pytest.raises(ImportFormatError, match="give --pair and --interval"):
        p.resolve_series("prices.json", "ccxt-ohlcv", None, None)
    with pytest.raises(ImportFormatError, match="--pair 'FOOBAR': give the pair as BASE/QUOTE"):
        p.resolve_series("prices.json", "ccxt-ohlcv", "FOOBAR", "1d")
    with pytest.raises(ImportFormatError, match="--interval: '1y' is not an interval"):
        p.resolve_series("prices.json", "ccxt-ohlcv", "FOO/BAR", "1y")


def test_cli_imports_the_bundled_samples(database_url, capsys):
    url = database_url.render_as_string(hide_password=False)
    for code in ("XBTUSD", "XRPUSD", "XDGUSD"):
        assert (
            run(
                args=[
                    "--database-url",
                    url,
                    "prices",
                    "import",
                    str(SAMPLES / f"{code}_1440.csv"),
                    "--format",
                    "kraken-ohlcvt",
                ]
            )
            == 0
        )
    out = capsys.readouterr().out
    assert "152 1d candles of BTC/USD (kraken) added" in out and "of DOGE/USD" in out
    with pytest.raises(SystemExit) as exit_info:
        run(
            args=[
                "--database-url",
                url,
                "prices",
                "import",
                str(SAMPLES / "XBTUSD_1440.csv"),
                "--format",
                "kraken-ohlcvt",
                "--pair",
                "XRP/USD",
            ]
        )
    assert exit_info.value.code == 2
    assert "the file name is of BTC/USD" in capsys.readouterr().err
