"""The console script against databases that fail, URLs that hide secrets, and async URLs."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy.engine import URL

from tests.e2e.test_cli import FIXTURES, GAL_FRIDAY, HISTORY, counts, run
from tests.support import databases
from tests.support.hung_server import hung_server
from tests.support.tcp_proxy import TcpProxy


def _one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


def _through(proxy: TcpProxy, url: URL) -> str:
    proxied = url.set(host="127.0.0.1", port=proxy.port).update_query_dict({"sslmode": "disable"})
    return proxied.render_as_string(hide_password=False)


@pytest.mark.parametrize(
    ("args", "cut_on"),
    [
        (("import", str(HISTORY), "--format", "kraken-trades"), b"COPY"),
        (("report",), b"FROM trades"),
    ],
    ids=["import-during-copy", "report-during-read"],
)
def test_a_connection_killed_during_a_command_exits_1_with_one_line(postgres_url, args, cut_on):
    proxy = TcpProxy(postgres_url.host or "127.0.0.1", postgres_url.port or 5432, cut_on=cut_on)
    try:
        result = run(_through(proxy, postgres_url), *args)
    finally:
        proxy.stop()
    assert proxy.was_cut.is_set()
    assert result.returncode == 1, result.stderr
    line = _one_error_line(result)
    assert "connection" in line
    assert counts(postgres_url) == {"orders": 0, "fills": 0, "trades": 0}


def test_a_hung_server_exits_1_within_seconds(monkeypatch):
    monkeypatch.delenv("GALFRIDAY_DB_CONNECT_TIMEOUT", raising=False)
    with hung_server() as server:
        url = f"postgresql://trader:s3cr3t@127.0.0.1:{server.port}/x"
        result = subprocess.run(
            [GAL_FRIDAY, "--database-url", url, "report"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 1, result.stderr
    line = _one_error_line(result)
    assert "did not answer in time" in line
    assert "connection timeout expired" in line  # the default connect timeout ended it, not a hang
    assert "s3cr3t" not in result.stderr + result.stdout
    # How long it takes (about 6 s) is a figure for the README, not a bound a busy machine breaks.


@pytest.mark.parametrize(
    ("url", "named"),
    [
        ("postgresql://trader:s3cr3t@127.0.0.1:abc/gal", "port"),
        ("host=127.0.0.1 password=s3cr3t", "not a database URL"),
        ("postgresql://trader@127.0.0.1/gal?statement_timeout=soon", "statement_timeout"),
        ("postgresql+psycopg2://trader:s3cr3t@127.0.0.1/gal", "unsupported driver"),
    ],
)
def test_a_bad_url_is_one_line_naming_the_option(url, named):
    by_option = subprocess.run(
        [GAL_FRIDAY, "--database-url", url, "report"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert by_option.returncode == 2, by_option.stderr
    line = _one_error_line(by_option)
    assert line.startswith("error: --database-url: ")
    assert named in line
    assert "s3cr3t" not in by_option.stderr
    by_env = run(url, "report")
    assert by_env.returncode == 2
    assert _one_error_line(by_env).startswith("error: $GALFRIDAY_DATABASE_URL: ")


def _with_password(url: URL, shape: str) -> str:
    plain = url.render_as_string(hide_password=False)
    if shape == "query":
        return f"{plain}?password=s3%25cr3t"
    return plain.replace("postgres@", "postgres:s3%25cr3t@")  # trust auth ignores it


@pytest.mark.parametrize("shape", ["query", "userinfo"])
def test_passwords_never_reach_the_output(shape):
    url = databases.create_postgres_database()
    try:
        with_password = _with_password(url, shape)
        missing = run(with_password, "report")
        assert missing.returncode == 1
        assert "has no schema" in missing.stderr
        upgrade = run(with_password, "db", "upgrade")
        assert upgrade.returncode == 0, upgrade.stderr
        assert "is at revision" in upgrade.stdout
        for result in (missing, upgrade):
            output = result.stdout + result.stderr
            assert "s3%cr3t" not in output
            assert "s3%25cr3t" not in output
            assert "***" in output
    finally:
        databases.drop_postgres_database(url)


def test_async_urls_work_in_the_cli(postgres_url, tmp_path):
    asyncpg = postgres_url.set(drivername="postgresql+asyncpg")
    for url in (
        asyncpg.render_as_string(hide_password=False),
        f"sqlite+aiosqlite:///{tmp_path}/a.db",
    ):
        assert run(url, "db", "upgrade").returncode == 0
        imported = run(url, "import", str(HISTORY), "--format", "kraken-trades")
        assert imported.returncode == 0, imported.stderr
        report = run(url, "report", "--format", "json")
        assert report.returncode == 0, report.stderr
        assert '"trades"' in report.stdout


def test_sqlite_readers_do_not_wait_for_a_writer(tmp_path):
    import sqlite3

    url = f"sqlite:///{tmp_path / 'busy.db'}"
    assert run(url, "db", "upgrade").returncode == 0
    assert run(url, "import", str(HISTORY), "--format", "kraken-trades").returncode == 0
    writer = sqlite3.connect(tmp_path / "busy.db", isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    try:
        report = run(f"{url}?busy_timeout=0", "report", "--format", "json")  # no wait at all
        blocked = run(f"{url}?busy_timeout=0.5", "trades", "rebuild")
    finally:
        writer.rollback()
        writer.close()
    assert report.returncode == 0, report.stderr
    # with no busy timeout, a reader that needed the lock would have failed at once
    assert blocked.returncode == 1  # a writer waits for the lock, then says so in one line
    assert "another writer" in _one_error_line(blocked)


@pytest.fixture(scope="module")
def readable_databases(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Trades and candles in one file, a ledger in another: each read-only command succeeds."""
    folder = tmp_path_factory.mktemp("readers")
    ledger = folder / "ledger.db"
    for step in (
        ("db", "upgrade"),
        ("import", str(FIXTURES / "kraken-ledgers-2024.csv"), "--format", "kraken-ledgers"),
    ):
        assert run(f"sqlite:///{ledger}", *step).returncode == 0, step
    path = folder / "read.db"
    url = f"sqlite:///{path}"
    samples = Path(__file__).resolve().parents[2] / "importers" / "samples"
    steps = [
        ("db", "upgrade"),
        ("import", str(samples / "kraken-trades-sample.csv"), "--format", "kraken-trades"),
        *[
            ("prices", "import", str(samples / f"{code}_1440.csv"), "--format", "kraken-ohlcvt")
            for code in ("XBTUSD", "XRPUSD", "XDGUSD")
        ],
    ]
    for step in steps:
        done = run(url, *step)
        assert done.returncode == 0, (step, done.stderr)
    return {"trades": path, "ledger": ledger}


@pytest.mark.parametrize(
    "args",
    [
        ("report", "--format", "json"),
        ("audit",),
        ("equity", "--start-capital", "10000", "--currency", "USD", "--format", "json"),
        ("income", "--currency", "USD", "--format", "json"),
        ("positions", "--format", "json"),
        ("balances", "--format", "json"),
        ("risk", "--format", "json"),
    ],
)
def test_every_read_only_command_reads_beside_a_writer_without_waiting(
    tmp_path, readable_databases, args
):
    import sqlite3

    path = tmp_path / "busy.db"
    shutil.copy(readable_databases["ledger" if args[0] == "audit" else "trades"], path)
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    try:
        result = run(f"sqlite:///{path}?busy_timeout=0", *args)  # one needing the lock fails
    finally:
        writer.rollback()
        writer.close()
    assert result.returncode == 0, result.stderr
