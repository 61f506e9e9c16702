"""The ``gal-friday`` console script end to end, in a subprocess, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import URL

from gal_friday.persistence import schema
from gal_friday.persistence.database import create_engine
from gal_friday.persistence.tables import definitions as t
from tests.support import databases

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
        stdin=subprocess.DEVNULL,
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
    # 100 * 99.7 / (500 + 0.1), rounded half-even to 6 places
    assert xrp["pnl_pct"] == "19.936013"
    assert {p["grouping"] for p in data["pairs"]} == {"FLAT_TO_FLAT"}
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
    assert "total_realized_pnl" not in data
    usd = data["totals"]["USD"]
    assert (usd["trades"], usd["realized_pnl"], usd["total_commission"]) == (2, "98.3", "1.7")
    assert usd["pnl_pct"] == "14.030831"  # 100 * 98.3 / (200.5 + 500.1)
    assert list(data["totals"]) == ["USD"]

    period = json.loads(
        run(
            database_url, "report", "--format", "json", "--since", "2024-01-05", "--pair", "xrp/usd"
        ).stdout
    )
    assert [p["trading_pair"] for p in period["pairs"]] == ["XRP/USD"]
    csv_report = run(database_url, "report", "--format", "csv").stdout.splitlines()
    # closed-trade fees: 1.4 + 0.3; the open trade realized -0.01 (its entry fee), no ledger
    # margin: 98.29 realized in all (docs/reporting.md, "CSV")
    assert csv_report[-1] == ",TOTAL,USD,,2,1,1,98.3,1.7,14.030831,,,1,,-0.01,0,98.29"


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
    assert "XRP/USD (kraken): 1 trade (fifo)\n" in result.stdout
    data = json.loads(run(database_url, "report", "--format", "json").stdout)
    assert {p["trading_pair"]: p["grouping"] for p in data["pairs"]} == {
        "BTC/USD": "FIFO",
        "DOGE/USD": "FIFO",
        "XRP/USD": "FIFO",
    }
    assert data["totals"]["USD"]["realized_pnl"] == "98.3"  # the same total as flat-to-flat
    table = run(database_url, "report").stdout
    assert "Realized PnL of closed trades (fifo)" in table


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
    path = tmp_path / "fresh.db"
    path.touch()
    url = f"sqlite:///{path}"
    result = run(url, "report")
    assert result.returncode == 1  # the database cannot be used yet: README, docs/database.md
    assert "run `gal-friday db upgrade` first" in result.stderr
    upgrade = run(url, "db", "upgrade")
    assert upgrade.returncode == 0
    assert upgrade.stdout.strip().endswith(f"is at revision {schema.head()} (the newest)")
    assert "up to date" in run(url, "db", "current").stdout
    assert run(url, "db", "check").returncode == 0
    downgrade = run(url, "db", "downgrade", "base", "--yes")
    assert downgrade.returncode == 0, downgrade.stderr
    assert downgrade.stdout.strip().endswith("has no schema")
    assert "None" not in downgrade.stdout
    assert "no schema" in run(url, "db", "current").stdout


def test_a_database_from_a_newer_release_is_not_told_to_run_db_upgrade(tmp_path):
    url = f"sqlite:///{tmp_path / 'newer.db'}"
    assert run(url, "db", "upgrade").returncode == 0
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("UPDATE alembic_version SET version_num = '0099_from_the_future'")
    finally:
        engine.dispose()
    result = run(url, "report")
    assert result.returncode == 1
    line = result.stderr.strip()
    assert "0099_from_the_future" in line
    assert "does not know" in line
    assert "run `gal-friday db upgrade`" not in line


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


# --- report filters, plot, and the CLI paths that once printed tracebacks or exited wrong ---


@pytest.fixture
def sqlite_url(sqlite_template, tmp_path):
    """A fresh migrated SQLite file (paths that do not depend on the backend)."""
    with databases.fresh_database("sqlite", sqlite_template, tmp_path) as url:
        yield url


@pytest.fixture
def imported(sqlite_url):
    assert run(sqlite_url, "import", str(HISTORY), "--format", "kraken-trades").returncode == 0
    return sqlite_url


def one_error_line(result: subprocess.CompletedProcess[str], code: int) -> str:
    assert result.returncode == code, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


def test_report_pair_accepts_the_exchanges_code(imported):
    by_code = json.loads(run(imported, "report", "--format", "json", "--pair", "XXBTZUSD").stdout)
    by_name = json.loads(run(imported, "report", "--format", "json", "--pair", "btc/usd").stdout)
    assert by_code == by_name
    assert [p["trading_pair"] for p in by_code["pairs"]] == ["BTC/USD"]


def test_plot_into_a_missing_folder_exits_2_naming_it_before_the_report(imported, tmp_path):
    target = tmp_path / "no-such-folder" / "pnl.png"
    result = run(imported, "report", "--plot", str(target))
    line = one_error_line(result, 2)
    assert str(tmp_path / "no-such-folder") in line
    assert result.stdout == ""  # checked before the report is printed
    odd = run(imported, "report", "--plot", str(tmp_path / "pnl.foo"))
    assert "needs an image suffix" in one_error_line(odd, 2)
    assert odd.stdout == ""


def test_plot_never_overwrites_a_file_nor_follows_a_symlink(imported, tmp_path):
    kept = tmp_path / "kept.png"
    kept.write_bytes(b"the trader's own file")
    existing = run(imported, "report", "--plot", str(kept))
    assert "already exists" in one_error_line(existing, 2)
    assert kept.read_bytes() == b"the trader's own file"
    victim = tmp_path / "victim.txt"
    victim.write_text("not a chart")
    link = tmp_path / "link.png"
    link.symlink_to(victim)
    followed = run(imported, "report", "--plot", str(link))
    assert "already exists" in one_error_line(followed, 2)
    assert victim.read_text() == "not a chart"
    dangling = tmp_path / "dangling.png"
    dangling.symlink_to(tmp_path / "made-by-the-link.png")
    assert "already exists" in one_error_line(run(imported, "report", "--plot", str(dangling)), 2)
    assert not (tmp_path / "made-by-the-link.png").exists()


def test_equity_plot_is_checked_like_the_reports(imported, tmp_path):
    args = ("equity", "--start-capital", "10000", "--currency", "USD", "--plot")
    text_file = run(imported, *args, str(tmp_path / "x.txt"))
    assert "needs an image suffix" in one_error_line(text_file, 2)  # a traceback before
    assert text_file.stdout == ""
    kept = tmp_path / "kept.png"
    kept.write_bytes(b"mine")
    assert "already exists" in one_error_line(run(imported, *args, str(kept)), 2)
    assert kept.read_bytes() == b"mine"


def test_a_symlink_planted_after_the_check_is_not_followed(tmp_path):
    from matplotlib.figure import Figure

    from gal_friday.cli.rendering.plotting import save_new

    victim = tmp_path / "victim.txt"
    victim.write_text("not a chart")
    link = tmp_path / "late.png"
    link.symlink_to(victim)
    with pytest.raises(FileExistsError):
        save_new(Figure(), link)
    assert victim.read_text() == "not a chart"
    save_new(Figure(), tmp_path / "fresh.png")
    assert (tmp_path / "fresh.png").read_bytes().startswith(b"\x89PNG")


def test_plot_without_matplotlib_fails_first(imported, tmp_path):
    shim = tmp_path / "shim"
    shim.mkdir()
    (shim / "sitecustomize.py").write_text("import sys\nsys.modules['matplotlib'] = None\n")
    env = {
        **os.environ,
        "GALFRIDAY_DATABASE_URL": imported.render_as_string(hide_password=False),
        "PYTHONPATH": str(shim),
    }
    result = subprocess.run(
        [GAL_FRIDAY, "report", "--plot", str(tmp_path / "pnl.png")],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert "needs matplotlib" in one_error_line(result, 2)
    assert result.stdout == ""  # the report is not printed first
    assert not (tmp_path / "pnl.png").exists()


def test_plot_shows_what_the_report_shows(imported, tmp_path):
    # closed trades: BTC/USD exits 2024-01-03, XRP/USD 2024-01-06
    period = run(imported, "report", "--since", "2024-01-05", "--plot", str(tmp_path / "a.png"))
    assert period.returncode == 0, period.stderr
    assert "plotted 1 pair in 1 currency (USD)" in period.stderr
    one_pair = run(imported, "report", "--pair", "XXBTZUSD", "--plot", str(tmp_path / "b.png"))
    assert "plotted 1 pair in 1 currency (USD)" in one_pair.stderr
    nothing = run(imported, "report", "--until", "2024-01-02", "--plot", str(tmp_path / "c.png"))
    assert nothing.returncode == 0
    assert "no closed trades to plot" in nothing.stderr
    assert not (tmp_path / "c.png").exists()


def test_unknown_revisions_exit_2_naming_them(sqlite_url):
    for args in [("db", "upgrade", "9999"), ("db", "downgrade", "foo", "--yes")]:
        line = one_error_line(run(sqlite_url, *args), 2)
        assert repr(args[2]) in line
    assert "up to date" in run(sqlite_url, "db", "current").stdout


def test_downgrade_base_needs_yes_without_a_terminal(sqlite_url):
    line = one_error_line(run(sqlite_url, "db", "downgrade", "base"), 2)
    assert "--yes" in line
    assert "up to date" in run(sqlite_url, "db", "current").stdout  # nothing dropped


def test_a_filter_that_matches_nothing_says_so(imported):
    result = run(imported, "report", "--format", "json", "--pair", "ETH/USD")
    assert result.returncode == 0
    assert json.loads(result.stdout)["pairs"] == []  # stdout stays parseable
    assert "no trades match --pair ETH/USD" in result.stderr
    closed = run(imported, "report", "--since", "2030-01-01")
    assert closed.returncode == 0
    assert "no closed trades match --since 2030-01-01" in closed.stderr


def test_since_after_until_is_bad_input(imported):
    line = one_error_line(
        run(imported, "report", "--since", "2024-02-01", "--until", "2024-01-01"), 2
    )
    assert "--since 2024-02-01 is not before --until 2024-01-01" in line


def test_a_mistyped_sqlite_path_is_not_created(tmp_path):
    path = tmp_path / "typo.db"
    for args in [("report",), ("db", "current"), ("trades", "rebuild")]:
        line = one_error_line(run(f"sqlite:///{path}", *args), 2)
        assert str(path) in line and "does not exist" in line
        assert not path.exists()
    assert run(f"sqlite:///{path}", "db", "upgrade").returncode == 0  # upgrade creates it
    assert path.exists()
    nowhere = tmp_path / "no-such-folder" / "x.db"
    line = one_error_line(run(f"sqlite:///{nowhere}", "db", "upgrade"), 2)
    assert str(nowhere.parent) in line


def test_a_huge_value_gives_one_short_error_line(imported):
    line = one_error_line(run(imported, "report", "--pair", "A" * 5000 + "/USD/X"), 2)
    assert len(line) < 400
    assert "A" * 100 not in line


def test_a_long_error_message_is_cut_to_one_line_saying_so():
    from gal_friday.cli.errors import MAX_ERROR_LENGTH, one_line

    line = one_line("first\n" + "x" * 5000)
    assert "\n" not in line
    assert len(line) < MAX_ERROR_LENGTH + 50
    assert line.endswith("(4706 more characters cut)")


def test_ctrl_c_inside_a_command_exits_130(imported, monkeypatch, capsys):
    from gal_friday.cli import main as cli_main
    from gal_friday.services import reporting

    def interrupted(*_args, **_kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(reporting, "build_report", interrupted)
    url = imported.render_as_string(hide_password=False)
    with pytest.raises(SystemExit) as exit_info:
        cli_main.run(args=["--database-url", url, "report"])
    assert exit_info.value.code == 130
    assert capsys.readouterr().err.strip() == "error: interrupted"


SLOW_REPORT = """
import sys, time
from gal_friday.services import reporting
def slow(*args, **kwargs):
    print("ready", file=sys.stderr, flush=True)
    time.sleep(60)
reporting.build_report = slow
from gal_friday.cli.main import main
sys.argv = ["gal-friday", "report"]
main()
"""


def test_a_real_sigint_exits_130_without_a_traceback(imported):
    env = {**os.environ, "GALFRIDAY_DATABASE_URL": imported.render_as_string(hide_password=False)}
    process = subprocess.Popen(
        [sys.executable, "-c", SLOW_REPORT],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert process.stderr is not None
        assert process.stderr.readline().strip() == "ready"
        process.send_signal(signal.SIGINT)
        _out, err = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 130
    assert "Traceback" not in err
    assert err.strip() == "error: interrupted"


HEAVY = ("sqlalchemy", "alembic", "matplotlib", "psycopg", "rich")
LOADED_AFTER = """
import sys
from gal_friday.cli.main import run
try:
    run(args=sys.argv[1:])
except SystemExit:
    pass
print("loaded:", ",".join(sorted({m.split(".")[0] for m in sys.modules} & set(%r))))
"""


@pytest.mark.parametrize("args", [["--help"], ["report", "--help"], ["db", "--help"]])
def test_help_imports_no_database_or_drawing_library(args):
    result = subprocess.run(
        [sys.executable, "-c", LOADED_AFTER % (HEAVY,), *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Usage: gal-friday" in result.stdout
    assert result.stdout.splitlines()[-1] == "loaded: "  # none of HEAVY was imported


NOT_FOR_A_SQLITE_REPORT = ("alembic", "matplotlib", "psycopg", "sqlalchemy.ext.asyncio")


def test_a_report_on_sqlite_imports_neither_psycopg_alembic_nor_asyncio_support(imported):
    script = LOADED_AFTER.replace('{m.split(".")[0] for m in sys.modules}', "set(sys.modules)")
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            script % (NOT_FOR_A_SQLITE_REPORT,),
            "--database-url",
            str(imported),
            "report",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "TOTAL" in result.stdout
    assert result.stdout.splitlines()[-1] == "loaded: "
