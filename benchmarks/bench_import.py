"""Import of a generated Kraken file through the CLI, next to two baselines run alongside it.

* the DATABASE FLOOR: COPY of the very rows the import stored (its orders, fills and trades,
  exported as text with ``COPY (SELECT ...) TO STDOUT`` once the import is done) into another
  fresh migrated database, timed from the client: what the server needs to take these rows
  into these tables (constraints, indexes, foreign keys) with no client work at all;
* the RAW baseline: ``csv`` + ``Decimal`` + COPY of the file's fills into a bare temp table.

The three are run one after the other for each repeat (ours, floor, raw) so that the shared
machine's drift touches them alike; the best of the repeats of each is kept.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import psycopg
from psycopg import sql

from benchmarks.support import Row, kraken_file, libpq, scratch_database, timed

GAL_FRIDAY = str(Path(sys.executable).parent / "gal-friday")
#: The tables an import writes, in the order their foreign keys need.
TABLES = ("orders", "fills", "trades")
RAW_COLUMNS = (
    "fill_id text, exchange_order_id text, trading_pair text, exchange text, side text,"
    " quantity_filled numeric(38,18), fill_price numeric(38,18), commission numeric(38,18),"
    " commission_asset text, filled_at timestamptz"
)


def _raw_copy(url: object, path: Path) -> None:
    """csv + Decimal + COPY of the file's fills into a bare temp table."""
    with psycopg.connect(libpq(url)) as conn:  # type: ignore[arg-type]
        conn.execute(f"CREATE TEMP TABLE raw_fills ({RAW_COLUMNS})")
        with (
            path.open(newline="") as handle,
            conn.cursor() as cursor,
            cursor.copy(
                "COPY raw_fills (fill_id, exchange_order_id, trading_pair, exchange, side,"
                " quantity_filled, fill_price, commission, commission_asset, filled_at)"
                " FROM STDIN"
            ) as copy,
        ):
            for row in csv.DictReader(handle):
                copy.write_row(
                    (
                        row["txid"],
                        row["ordertxid"],
                        row["pair"],
                        "raw",
                        row["type"].upper(),
                        Decimal(row["vol"]),
                        Decimal(row["price"]),
                        Decimal(row["fee"]),
                        "USD",
                        datetime.fromisoformat(row["time"]).replace(tzinfo=UTC),
                    )
                )


def _export(url: object) -> dict[str, bytes]:
    """Every row the import stored, per table, as COPY text."""
    exported: dict[str, bytes] = {}
    with psycopg.connect(libpq(url)) as conn:  # type: ignore[arg-type]
        for table in TABLES:
            chunks: list[bytes] = []
            query = sql.SQL("COPY (SELECT * FROM {} ORDER BY 1) TO STDOUT").format(
                sql.Identifier(table)
            )
            with conn.cursor() as cursor, cursor.copy(query) as copy:
                chunks.extend(bytes(block) for block in copy)
            exported[table] = b"".join(chunks)
    return exported


def _floor_copy(url: object, exported: dict[str, bytes]) -> None:
    """COPY the exported rows into a fresh migrated database, in one transaction."""
    with psycopg.connect(libpq(url)) as conn:  # type: ignore[arg-type]
        for table in TABLES:
            data = exported[table]
            query = sql.SQL("COPY {} FROM STDIN").format(sql.Identifier(table))
            with conn.cursor() as cursor, cursor.copy(query) as copy:
                for start in range(0, len(data), 1 << 20):
                    copy.write(data[start : start + (1 << 20)])


def _timed_floor(url: object, exported: dict[str, bytes]) -> float:
    return timed(lambda: _floor_copy(url, exported))


def _ours(url: object, path: Path) -> float:
    env = {**os.environ, "GALFRIDAY_DATABASE_URL": url.render_as_string(hide_password=False)}  # type: ignore[attr-defined]
    command = [GAL_FRIDAY, "import", str(path), "--format", "kraken-trades"]
    return timed(lambda: subprocess.run(command, env=env, check=True, capture_output=True))


def run(size: int, repeats: int = 1) -> list[Row]:
    """Time ours, the floor and the raw baseline (interleaved), and compare fills per second."""
    ours: list[float] = []
    floor: list[float] = []
    raw: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        path = kraken_file(Path(tmp) / "trades.csv", size)
        for _ in range(repeats):
            with scratch_database() as ours_url:
                ours.append(_ours(ours_url, path))
                exported = _export(ours_url)
            with scratch_database() as floor_url:
                floor.append(_timed_floor(floor_url, exported))
            del exported
            with scratch_database() as raw_url:
                raw.append(timed(lambda: _raw_copy(raw_url, path)))
    ours_rate, floor_rate, raw_rate = size / min(ours), size / min(floor), size / min(raw)
    to_floor, to_raw = ours_rate / floor_rate, ours_rate / raw_rate
    name = f"import {size:,} Kraken fills via CLI (rows/s)"
    return [
        Row(
            f"{name} vs database floor",
            f"{ours_rate:,.0f}",
            f"{floor_rate:,.0f} (COPY of our rows)",
            to_floor,
            ">= 0.50",
            to_floor >= 0.5,
        ),
        Row(
            f"{name} vs raw csv+Decimal+COPY",
            f"{ours_rate:,.0f}",
            f"{raw_rate:,.0f} (raw COPY)",
            to_raw,
            ">= 0.20",
            to_raw >= 0.2,
        ),
        Row(
            f"database floor vs raw ({size:,} fills)",
            f"{floor_rate:,.0f}",
            f"{raw_rate:,.0f} (raw COPY)",
            floor_rate / raw_rate,
            "(the limit)",
            None,
        ),
    ]
