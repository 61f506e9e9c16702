"""Hostile input: whatever the bytes, an importer returns a valid batch or one clear error."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from gal_friday.domain import DomainError, InputError
from gal_friday.importers import ImportFormatError, parse_ccxt_trades, parse_kraken_trades
from gal_friday.persistence.bootstrap import unit_of_work_factory
from gal_friday.persistence.database import create_engine
from gal_friday.persistence.tables import definitions as t
from gal_friday.services.importing import import_history

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "importers"
CLASSIC = (FIXTURES / "kraken-classic.csv").read_text()
CCXT = json.loads((FIXTURES / "ccxt-trades.json").read_text())
EXAMPLES = int(os.environ.get("GALFRIDAY_FUZZ_EXAMPLES", "300"))

WEIRD = [
    "",
    "NaN",
    "nan",
    "Infinity",
    "-Infinity",
    "1e309",
    "1E-5",
    "-5",
    "0",
    "-0",
    "١٢٣",
    "9" * 60,
    "0." + "0" * 30 + "1",
    "\u202e42",
    "\x00",
    '"',
    "0x10",
    " 1 ",
    "1,5",
    "∞",
    "2024-02-30 10:00:00",
    "2024-01-01T10:00:00Z",
    "buy ",
    "SELL",
    "XXBTZUSD",
    "ЁЁЁ/USD",
    "\ufeff",
    "1_000",
    "+3",
    ".5",
    "5.",
    "\n",
]
LOCATION = re.compile(r"(:\d+:|: entry \d+: |:1?\s)")


def check(parse, path: Path) -> None:
    try:
        batch = parse(path)
    except ImportFormatError as error:
        message = str(error)
        assert "\n" not in message and message.startswith(str(path)), message
        return
    for record in batch.records:  # a successful import holds only valid domain fills
        fill = record.fill
        assert fill.quantity_filled > 0 and fill.fill_price > 0  # a commission may be a rebate
        assert fill.commission.is_finite()
        assert fill.filled_at.tzinfo is not None


@st.composite
def mutated_csv(draw: st.DrawFn) -> bytes:
    lines = CLASSIC.splitlines()
    rows = [line.split(",") if '"' not in line else line.split('","') for line in lines]
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["field", "truncate", "reorder", "duplicate", "drop", "bytes"]))
        r = draw(st.integers(0, len(rows) - 1))
        if kind == "field" and rows[r]:
            rows[r][draw(st.integers(0, len(rows[r]) - 1))] = draw(
                st.sampled_from(WEIRD) | st.text(max_size=8)
            )
        elif kind == "reorder":
            rows[r] = draw(st.permutations(rows[r]))
        elif kind == "duplicate":
            rows.append(list(rows[draw(st.integers(1, len(rows) - 1))]))
        elif kind == "drop" and len(rows[r]) > 1:
            rows[r] = rows[r][:-1]
    text = "\n".join((",".join(row) if "" not in row else '","'.join(row)) for row in rows)
    data = text.encode("utf-8", "surrogatepass")
    if draw(st.booleans()):
        data = data.replace(b"\n", b"\r\n")
    if draw(st.booleans()):
        data = b"\xef\xbb\xbf" + data
    if draw(st.booleans()):
        data = data[: draw(st.integers(0, len(data)))]
    if draw(st.booleans()):
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(max_size=6)) + data[at:]
    return data


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=mutated_csv() | st.binary(max_size=300))
def test_kraken_importer_on_hostile_bytes(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("fuzz") / "trades.csv"
    path.write_bytes(data)
    check(parse_kraken_trades, path)


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=10)
    | st.sampled_from(WEIRD),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)


@st.composite
def mutated_json(draw: st.DrawFn) -> str:
    document = json.loads(json.dumps(CCXT))
    trades = document["trades"]
    for _ in range(draw(st.integers(1, 3))):
        trade = trades[draw(st.integers(0, len(trades) - 1))]
        key = draw(st.sampled_from([*sorted(trade), "fees", "extra"]))
        trade[key] = draw(json_values)
    if draw(st.booleans()):
        trades.append(dict(trades[0]))
    return json.dumps(document, allow_nan=True)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=mutated_json() | st.text(max_size=200))
def test_ccxt_importer_on_hostile_json(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("fuzz") / "trades.json"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    check(parse_ccxt_trades, path)


GAL_FRIDAY = str(Path(sys.executable).parent / "gal-friday")


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=mutated_csv())
def test_the_cli_never_shows_a_traceback_and_keeps_the_database_unchanged(
    tmp_path_factory, sqlite_template, data
):
    from tests.support import databases

    folder = tmp_path_factory.mktemp("cli")
    path = folder / "trades.csv"
    path.write_bytes(data)
    with databases.fresh_database("sqlite", sqlite_template, folder) as url:
        env = {**os.environ, "GALFRIDAY_DATABASE_URL": url.render_as_string(hide_password=False)}
        result = subprocess.run(
            [GAL_FRIDAY, "import", str(path), "--format", "kraken-trades"],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
            check=False,
        )
        assert "Traceback" not in result.stderr
        assert result.returncode in (0, 2), result.stderr
        engine = create_engine(url)
        with engine.connect() as conn:
            fills = conn.scalar(select(func.count()).select_from(t.fills))
        engine.dispose()
        if result.returncode == 2:
            assert fills == 0
            assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1


# -- the same hostile values into both databases (issue 16.7) ------------------------------------

KRAKEN_ROW = (
    '"{txid}","{order}","{pair}","{time}","buy","limit","42000.1","4200.01","{fee}","0.1","0","",""'
)
KRAKEN_HEADER = CLASSIC.splitlines()[0]


def kraken_file(**fields: str) -> bytes:
    values = {
        "txid": "TX-1",
        "order": "OX-1",
        "pair": "XXBTZUSD",
        "time": "2024-01-02 10:00:00",
        "fee": "1.5",
        **fields,
    }
    return (KRAKEN_HEADER + "\n" + KRAKEN_ROW.format(**values) + "\n").encode(
        "utf-8", "surrogatepass"
    )


def ccxt_file(**fields: object) -> bytes:
    trade = {
        "id": "C-1",
        "order": "CO-1",
        "timestamp": 1704067200000,
        "symbol": "BTC/USD",
        "side": "buy",
        "price": "42000",
        "amount": "0.1",
        "fee": {"cost": "1", "currency": "USD"},
        **fields,
    }
    trade = {key: value for key, value in trade.items() if value is not None}
    return json.dumps({"exchange": "kraken", "trades": [trade]}).encode("utf-8", "surrogatepass")


#: name -> (format, file bytes, --exchange); each tried on SQLite and on PostgreSQL.
HOSTILE: dict[str, tuple[str, bytes, str | None]] = {
    "id of 200 characters": ("kraken-trades", kraken_file(txid="T" * 200), None),
    "id of 128 characters": ("kraken-trades", kraken_file(txid="T" * 128), None),
    "order id of 129 characters": ("kraken-trades", kraken_file(order="O" * 129), None),
    "NUL in the txid": ("kraken-trades", kraken_file(txid="T\x00X"), None),
    "NUL in the order id": ("kraken-trades", kraken_file(order="O\x00X"), None),
    "NUL in the pair": ("kraken-trades", kraken_file(pair="XBT/\x00USD"), None),
    "NUL in the fee": ("kraken-trades", kraken_file(fee="1\x00"), None),
    "surrogate bytes": ("kraken-trades", kraken_file(txid="T\ud800"), None),
    "fullwidth id": ("kraken-trades", kraken_file(txid="ＴＸ１"), None),
    "128 emoji": ("kraken-trades", kraken_file(txid="🚀" * 128), None),
    "129 emoji": ("kraken-trades", kraken_file(txid="🚀" * 129), None),
    "right-to-left override": ("kraken-trades", kraken_file(txid="\u202eTX"), None),
    "combining and zero-width": ("kraken-trades", kraken_file(txid="e\u0301\u200b"), None),
    "control characters": ("kraken-trades", kraken_file(txid="T\x01\x1b[31m"), None),
    "a rebate": ("kraken-trades", kraken_file(fee="-0.5"), None),
    "1970": ("kraken-trades", kraken_file(time="1970-01-01 00:00:00"), None),
    "year 9999": ("kraken-trades", kraken_file(time="9999-12-31 23:59:59"), None),
    "exchange of 100 characters": ("kraken-trades", kraken_file(), "x" * 100),
    "exchange with NUL": ("kraken-trades", kraken_file(), "kra\x00ken"),
    "exchange Kraken": ("kraken-trades", kraken_file(), "Kraken"),
    "ccxt id of 200": ("ccxt-trades", ccxt_file(id="I" * 200), None),
    "ccxt NUL in the order": ("ccxt-trades", ccxt_file(order="a\x00b"), None),
    "ccxt lone surrogate": ("ccxt-trades", ccxt_file(id="a\ud800b"), None),
    "ccxt NUL in the fee currency": (
        "ccxt-trades",
        ccxt_file(fee={"cost": "1", "currency": "US\x00D"}),
        None,
    ),
    "ccxt seconds": ("ccxt-trades", ccxt_file(timestamp=1704067200), None),
    "ccxt year 9999, negative offset": (
        "ccxt-trades",
        ccxt_file(timestamp=None, datetime="9999-12-31T23:00:00-05:00"),
        None,
    ),
    "ccxt nested 100,000 levels": ("ccxt-trades", b"[" * 100_000 + b"]" * 100_000, None),
    "ccxt huge number": ("ccxt-trades", ccxt_file(amount="1e999999999"), None),
}


def outcome(url, path: Path, fmt: str, exchange: str | None) -> tuple:
    """What an import did: the stored fills, or the error (never a database error)."""
    engine = create_engine(url)
    try:
        try:
            import_history(unit_of_work_factory(engine), path, fmt, exchange=exchange)
        except (InputError, DomainError) as error:  # ImportFormatError and the domain's own
            message = str(error)
            assert message.startswith(str(path)), message
            assert "\n" not in message and len(message) < len(str(path)) + 300, message
            return ("refused", message)
        with engine.connect() as conn:
            rows = conn.execute(
                select(t.fills.c.exchange, t.fills.c.fill_id, t.fills.c.commission)
            ).all()
        return ("stored", [tuple(row) for row in rows])
    finally:
        engine.dispose()


def test_both_databases_accept_and_refuse_the_same_hostile_values(
    tmp_path, sqlite_template, postgresql_template
):
    from tests.support import databases

    results: dict[str, dict[str, tuple]] = {}
    for name, (fmt, data, exchange) in HOSTILE.items():
        path = tmp_path / ("trades.csv" if fmt == "kraken-trades" else "trades.json")
        path.write_bytes(data)
        for backend, template in (("sqlite", sqlite_template), ("postgresql", postgresql_template)):
            with databases.fresh_database(backend, template, tmp_path) as url:
                results.setdefault(name, {})[backend] = outcome(url, path, fmt, exchange)
    differing = {name: r for name, r in results.items() if r["sqlite"] != r["postgresql"]}
    assert differing == {}
    verdicts = {name: r["sqlite"][0] for name, r in results.items()}
    assert {name for name, verdict in verdicts.items() if verdict == "stored"} == {
        "id of 128 characters",
        "fullwidth id",
        "128 emoji",
        "right-to-left override",
        "combining and zero-width",
        "control characters",
        "a rebate",
        "exchange Kraken",
    }
    assert results["exchange Kraken"]["sqlite"][1][0][0] == "kraken"
