"""The ``gal-friday`` console script end to end, in a subprocess, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import URL

from gal_friday.persistence import tables as t
from gal_friday.persistence.database import create_engine

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "importers"
HISTORY = FIXTURES / "e2e-history.csv"
GAL_FRIDAY = shutil.which("gal-friday", path=str(Path(sys.executable).parent)) or "gal-friday"


def run(url: URL | str, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "GALFRIDAY_DATABASE_URL": url
        if isinstance(url, str)
        else url.render_as_string(hide_password=False),
    }
    return subprocess.run(
        [GAL_FRIDAY, *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=120,
        check=False,
    )


def counts(url: URL) -> dict[str, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {
                name: conn.scalar(select(func.count()).select_from(table))
                for name, table in [("orders", t.orders), ("fills", t.fills), ("trades", t.trades)]
            }
    finally:
        engine.dispose()


def test_import_then_report_matches_hand_computed_figures(database_url):
    first = run(database_url, "import", str(HISTORY), "--format", "kraken-trades")
    assert first.returncode == 0, first.stderr
    assert "6 fills added in 6 new orders" in first.stdout
    again = run(database_url, "import", str(HISTORY), "--format", "kraken-trades")
    assert again.returncode == 0
    assert "nothing new: 0 fills added, 6 already stored" in again.stdout
    assert counts(database_url) == {"orders": 6, "fills": 6, "trades": 3}

    report = run(database_url, "report", "--format", "json")
    assert report.returncode == 0, report.stderr
    data = json.loads(report.stdout)
    pairs = {p["trading_pair"]: p for p in data["pairs"]}
    # BTC/USD: bought 2 @ 100 (fee 0.5), sold 1 @ 110 (0.6) and 1 @ 90 (0.3):
    # 110 + 90 - 200 - 1.4 = -1.4, one losing trade, commissions 1.4
    btc = pairs["BTC/USD"]
    assert (btc["trades"], btc["wins"], btc["losses"]) == (1, 0, 1)
    assert (btc["realized_pnl"], btc["total_commission"]) == ("-1.4", "1.4")
    # XRP/USD: 1000 @ 0.5 (0.1) then 1000 @ 0.6 (0.2): 600 - 500 - 0.3 = 99.7
    xrp = pairs["XRP/USD"]
    assert (xrp["trades"], xrp["wins"], xrp["realized_pnl"]) == (1, 1, "99.7")
    # 100 * 99.7 / (500 + 0.1)
    assert xrp["pnl_pct"] == "19.936012797440511898"
    # DOGE/USD: still holding 100 bought @ 0.1, fee 0.01 paid so far
    doge = pairs["DOGE/USD"]
    assert (doge["trades"], doge["realized_pnl"]) == (0, "0")
    assert doge["open_trades"] == [
        {
            "side": "LONG",
            "quantity_held": "100",
            "average_entry_price": "0.1",
            "realized_pnl": "-0.01",
            "entry_timestamp": "2024-01-07T10:00:00+00:00",
        }
    ]
    assert data["total_realized_pnl"] == "98.3"

    period = json.loads(
        run(
            database_url, "report", "--format", "json", "--since", "2024-01-05", "--pair", "xrp/usd"
        ).stdout
    )
    assert [p["trading_pair"] for p in period["pairs"]] == ["XRP/USD"]
    csv_report = run(database_url, "report", "--format", "csv").stdout.splitlines()
    assert csv_report[-1] == ",TOTAL,2,,,98.3,1.7,,,,1"  # closed-trade fees: 1.4 + 0.3


def test_a_bad_row_stores_nothing_and_says_where(database_url, tmp_path):
    bad = tmp_path / "bad.csv"
    lines = HISTORY.read_text().splitlines()
    lines[4] = lines[4].replace("0.5,500", "0.5x,500")
    bad.write_text("\n".join(lines) + "\n")
    result = run(database_url, "import", str(bad), "--format", "kraken-trades")
    assert result.returncode == 2
    assert (
        result.stderr.strip()
        == f"error: {bad}:5: column 'price' (7): '0.5x' is not a decimal number"
    )
    assert "Traceback" not in result.stderr
    assert counts(database_url) == {"orders": 0, "fills": 0, "trades": 0}


def test_trades_rebuild_with_another_grouping(database_url):
    assert run(database_url, "import", str(HISTORY), "--format", "kraken-trades").returncode == 0
    result = run(database_url, "trades", "rebuild", "--grouping", "fifo")
    assert result.returncode == 0, result.stderr
    assert "BTC/USD (kraken): 2 trades" in result.stdout  # two lots pieces of the 2 BTC
    data = json.loads(run(database_url, "report", "--format", "json").stdout)
    assert data["grouping"] == "FIFO"
    assert data["total_realized_pnl"] == "98.3"  # the same total as flat-to-flat


def test_user_errors_exit_2_without_traceback(database_url, tmp_path):
    cases = [
        ("report", "--since", "yesterday"),
        ("import", str(HISTORY), "--format", "nope"),
        ("import", str(tmp_path / "missing.csv"), "--format", "kraken-trades"),
        ("trades", "rebuild", "--pair", "ABC/DEF"),
    ]
    for args in cases:
        result = run(database_url, *args)
        assert result.returncode == 2, (args, result.stderr)
        assert "Traceback" not in result.stderr
        assert result.stderr.strip()


def test_an_unmigrated_database_is_a_clear_error(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    result = run(url, "report")
    assert result.returncode == 2
    assert "run `gal-friday db upgrade` first" in result.stderr
    assert run(url, "db", "upgrade").returncode == 0
    assert "up to date" in run(url, "db", "current").stdout
    assert run(url, "db", "check").returncode == 0
    assert run(url, "db", "downgrade", "base").returncode == 0
    assert "no schema" in run(url, "db", "current").stdout


def test_an_unreachable_database_hides_the_password():
    result = run("postgresql://trader:s3cret@127.0.0.1:1/nowhere", "report")
    assert result.returncode == 1
    assert "s3cret" not in result.stderr + result.stdout
    assert result.stderr.startswith("error: cannot use the database")


def test_help_everywhere():
    for args in [(), ("db",), ("import",), ("trades", "rebuild"), ("report",), ("demo",)]:
        result = run("sqlite://", *args, "--help")
        assert result.returncode == 0
        assert "Usage: gal-friday" in result.stdout


def test_demo_writes_every_table(database_url):
    given = database_url.render_as_string(hide_password=False)
    result = run("sqlite://", "demo", "--database-url", given)  # its own, explicitly given
    assert result.returncode == 0, result.stderr
    assert "demo run 1" in result.stdout
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            for table in t.metadata.sorted_tables:
                assert conn.scalar(select(func.count()).select_from(table)) > 0, table.name
    finally:
        engine.dispose()


@pytest.mark.slow
def test_the_readme_quickstart_works_in_a_fresh_clone(tmp_path):
    repo = Path(__file__).resolve().parents[2]
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", str(repo), str(clone)], check=True)
    readme = (clone / "README.md").read_text()
    first_command = next(line for line in readme.splitlines() if line.startswith("./"))
    command = first_command.split("#")[0].strip()
    work = tmp_path / "work"
    work.mkdir()
    result = subprocess.run(
        ["bash", "-c", str(clone / command.removeprefix("./"))],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
        env={
            k: v
            for k, v in os.environ.items()
            if k not in ("GALFRIDAY_DATABASE_URL", "VIRTUAL_ENV")
        },
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Realized PnL of closed trades" in result.stdout
    assert "TOTAL" in result.stdout
    assert (work / "galfriday.db").exists()


def test_report_plot_draws_a_png(database_url, tmp_path):
    assert run(database_url, "import", str(HISTORY), "--format", "kraken-trades").returncode == 0
    target = tmp_path / "pnl.png"
    result = run(database_url, "report", "--plot", str(target))
    assert result.returncode == 0, result.stderr
    assert "plotted 2 pairs" in result.stderr
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
