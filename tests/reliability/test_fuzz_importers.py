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

from gal_friday.importers import ImportFormatError, parse_ccxt_trades, parse_kraken_trades
from gal_friday.persistence import tables as t
from gal_friday.persistence.database import create_engine

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
        assert fill.quantity_filled > 0 and fill.fill_price > 0 and fill.commission >= 0
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
