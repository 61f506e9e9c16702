"""Import of a generated Kraken file through the CLI vs a raw psycopg COPY of the same rows."""

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

from benchmarks.support import Row, kraken_file, libpq, scratch_database, timed

GAL_FRIDAY = str(Path(sys.executable).parent / "gal-friday")


def _raw_copy(url: object, path: Path) -> None:
    with psycopg.connect(libpq(url)) as conn:  # type: ignore[arg-type]
        order_pk = conn.execute(
            "INSERT INTO orders (client_order_id, trading_pair, exchange, side, order_type,"
            " quantity_ordered, status, created_at, last_updated_at, filled_quantity, version)"
            " VALUES (gen_random_uuid(), 'BTC/USD', 'raw', 'BUY', 'MARKET', 1, 'FILLED', now(),"
            " now(), 0, 1) RETURNING order_pk"
        ).fetchone()[0]  # type: ignore[index]
        with (
            path.open(newline="") as handle,
            conn.cursor() as cursor,
            cursor.copy(
                "COPY fills (fill_id, order_pk, exchange_order_id, trading_pair, exchange, side,"
                " quantity_filled, fill_price, commission, commission_asset, filled_at) FROM STDIN"
            ) as copy,
        ):
            for row in csv.DictReader(handle):
                copy.write_row(
                    (
                        row["txid"],
                        order_pk,
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


def run(size: int) -> list[Row]:
    """Time both and compare rows per second."""
    with tempfile.TemporaryDirectory() as tmp:
        path = kraken_file(Path(tmp) / "trades.csv", size)
        with scratch_database() as ours_url, scratch_database() as raw_url:
            env = {
                **os.environ,
                "GALFRIDAY_DATABASE_URL": ours_url.render_as_string(hide_password=False),
            }
            command = [GAL_FRIDAY, "import", str(path), "--format", "kraken-trades"]
            ours = timed(lambda: subprocess.run(command, env=env, check=True, capture_output=True))
            raw = timed(lambda: _raw_copy(raw_url, path))
    ours_rate, raw_rate = size / ours, size / raw
    ratio = ours_rate / raw_rate
    return [
        Row(
            f"import {size:,} Kraken fills via CLI (rows/s)",
            f"{ours_rate:,.0f}",
            f"{raw_rate:,.0f} (COPY)",
            ratio,
            ">= 0.50",
            ratio >= 0.5,
        )
    ]
