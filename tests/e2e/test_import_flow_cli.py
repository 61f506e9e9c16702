"""The import through the CLI: files that are not trade exports are refused at once with one
line (exit 2), and fees in a third asset are valued with ``--rates FILE``."""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import pytest

from gal_friday.persistence.unit_of_work import UnitOfWork
from tests.e2e.test_cli import FIXTURES, counts, run

HEADER = "txid,ordertxid,pair,time,type,ordertype,price,cost,fee,vol,margin,misc,ledgers\n"
ROW = "T1,O1,XXBTZUSD,2024-01-01 10:00:00,buy,market,100,100,0.1,1,0,,\n"


def _refused(url, path: Path, fmt: str, expected: str) -> None:
    result = run(url, "import", str(path), "--format", fmt)  # run() gives up after 120 s
    assert result.returncode == 2, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert str(path) in lines[0] and expected in lines[0], lines[0]


@pytest.mark.parametrize("fmt", ["kraken-trades", "ccxt-trades"])
def test_an_endless_file_is_refused_at_once(database_url, tmp_path, fmt):
    link = tmp_path / "zero.csv"
    link.symlink_to("/dev/zero")
    _refused(database_url, link, fmt, "not a trade export")
    assert counts(database_url) == {"orders": 0, "fills": 0, "trades": 0}


@pytest.mark.parametrize(
    ("prefix", "fmt"),
    [(b"", "kraken-trades"), (HEADER.encode(), "kraken-trades"), (b"", "ccxt-trades")],
)
def test_a_huge_sparse_file_is_refused_at_once(database_url, tmp_path, prefix, fmt):
    path = tmp_path / "sparse.csv"
    with path.open("wb") as handle:
        handle.write(prefix)
        handle.truncate(2 * 1024**3)  # 2 GiB of NUL bytes, no disk used
    _refused(database_url, path, fmt, "not")
    assert counts(database_url) == {"orders": 0, "fills": 0, "trades": 0}


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + bytes(100), ":3: binary content"),
        (b'{"exchange": "kraken", "trades": []}\n', ":1: not a Kraken trades export"),
        (HEADER.encode() + b"T1," + b"x" * 70_000 + b"\n", ":2: a line longer than 65,536 bytes"),
        (HEADER.encode() + ROW.encode() + b"T2,O2\0,XXBTZUSD\n", ":3: binary content"),
    ],
)
def test_what_is_not_a_trade_export_is_refused_with_one_line(
    database_url, tmp_path, content, expected
):
    path = tmp_path / "odd.csv"
    path.write_bytes(content)
    _refused(database_url, path, "kraken-trades", expected)


def test_ccxt_json_without_strings_or_nested_deeply_is_refused(database_url, tmp_path):
    padded = tmp_path / "padded.json"
    padded.write_bytes(b"[" + b" " * 100_000 + b"]")
    _refused(database_url, padded, "ccxt-trades", "bytes without a string")
    deep = tmp_path / "deep.json"
    nested = '{"a": ' * 100_000 + "1" + "}" * 100_000
    deep.write_text('{"exchange": "kraken", "trades": [' + nested + "]}")
    _refused(
        database_url,
        deep,
        "ccxt-trades",
        "entry 1: the JSON is nested too deeply (more than 32 levels)",
    )


BNB_FILE = FIXTURES / "binance-bnb-fees.json"
RATES = FIXTURES / "bnb-rates.csv"


def test_fees_in_bnb_need_a_rate_and_are_valued_with_the_rates_file(database_url):
    refused = run(database_url, "import", str(BNB_FILE), "--format", "ccxt-trades")
    assert refused.returncode == 2
    assert refused.stderr.splitlines() == [
        f"error: {BNB_FILE}: entry 1: fill 'b1' at 2024-01-01T00:00:00+00:00 paid its fee in "
        "BNB: no BNB/USDT rate in force then; give one with --rates FILE (docs/import-flow.md)"
    ]
    assert counts(database_url)["fills"] == 0

    done = run(
        database_url, "import", str(BNB_FILE), "--format", "ccxt-trades", "--rates", str(RATES)
    )
    assert done.returncode == 0, done.stderr
    with UnitOfWork(str(database_url.render_as_string(hide_password=False))) as uow:
        (trade,) = uow.trades.all("BTC/USDT")
    # 0.01 BNB at 300 (entry, Jan 1) + 0.01 BNB at 310.5 (exit, Jan 2, the next rate)
    assert trade.total_commission == Decimal("6.105")
    assert trade.realized_pnl == Decimal(100) - Decimal("6.105")

    without = run(database_url, "trades", "rebuild")
    assert without.returncode == 2
    assert "'b1'" in without.stderr and "BNB" in without.stderr
    assert len(without.stderr.splitlines()) == 1
    rebuilt = run(database_url, "trades", "rebuild", "--rates", str(RATES))
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "BTC/USDT (binance): 1 trade (flat-to-flat)" in rebuilt.stdout


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            "time,asset,rate\n",
            ":1: not a rates file: the header needs time,asset,quote,rate; it lacks quote",
        ),
        (
            "time,asset,quote,rate\n2024-01-01,BNB,USDT,-3\n",
            ":2: column 'rate' (4): -3 must be greater than zero",
        ),
        (
            "time,asset,quote,rate\nsoon,BNB,USDT,3\n",
            ":2: column 'time' (1): 'soon' is not an ISO 8601 time",
        ),
        (
            "time,asset,quote,rate\n2024-01-01,BNB,USDT,abc\n",
            ":2: column 'rate' (4): 'abc' is not a decimal number",
        ),
    ],
)
def test_a_bad_rates_file_names_its_line(database_url, tmp_path, content, expected):
    rates = tmp_path / "rates.csv"
    rates.write_text(content)
    result = run(
        database_url, "import", str(BNB_FILE), "--format", "ccxt-trades", "--rates", str(rates)
    )
    assert result.returncode == 2
    assert result.stderr.splitlines() == [f"error: {rates}{expected}"]


def test_the_progress_bar_does_not_read_the_file_first(tmp_path):
    """A FIFO has no size: the import reads it once, as a stream (no line count first)."""
    fifo = tmp_path / "trades.csv"
    os.mkfifo(fifo)
    import subprocess
    import threading

    from tests.e2e.test_cli import GAL_FRIDAY

    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    assert run(url, "db", "upgrade").returncode == 0

    def feed() -> None:
        with fifo.open("w") as handle:
            handle.write(HEADER + ROW)

    writer = threading.Thread(target=feed)
    writer.start()
    result = subprocess.run(
        [GAL_FRIDAY, "--database-url", url, "import", str(fifo), "--format", "kraken-trades"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    writer.join()
    assert result.returncode == 0, result.stderr
    assert "1 fill added" in result.stdout
