"""``gal-friday report`` as a user runs it (a CLI subprocess) vs a bare-driver script, and start-up.

A database holds ``count`` closed round trips over three Kraken pairs as an import leaves
them: one order and one fill per entry and per exit, the trade rows derived from them, no
ledger (so every pair carries the trades.csv fee mark). The rows are written in bulk
(``persistence.bulk``: COPY on PostgreSQL, executemany on SQLite). ``ours`` is the wall
clock of ``gal-friday report`` (the table, into a pipe) including the interpreter's start;
the baseline is a ``python`` subprocess that connects with the bare driver, fetches every
row of the trades table (``SELECT *``, unordered) and sums the realized PnL in ``Decimal``.
Start-up rows time ``--help`` and ``report`` on a small SQLite database next to
``python -c pass``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy.engine import URL, make_url

from benchmarks.support import T0, Row, libpq, scratch_database, timed
from gal_friday.domain.enums import OrderStatus, OrderType, Side, TradeGrouping, TradeSide
from gal_friday.persistence import schema
from gal_friday.persistence.database import create_engine
from gal_friday.persistence.fastpath import bulk
from gal_friday.persistence.tables import definitions as t

PAIRS = [
    ("BTC/USD", Decimal("42000"), Decimal("0.01")),
    ("XRP/USD", Decimal("0.5"), Decimal(100)),
    ("DOGE/USD", Decimal("0.08"), Decimal(500)),
]
FEE = Decimal("0.0026")
CHUNK = 20_000
REPORT_TARGET = 1.0
START_TARGET = 0.3
SMALL_TRADES = 20
RUNS = 3

_RAW_SQLITE = """
import sqlite3, sys
from decimal import Decimal
conn = sqlite3.connect(sys.argv[1])
cursor = conn.execute("SELECT * FROM trades")
rows = cursor.fetchall()
pnl = [column[0] for column in cursor.description].index("realized_pnl")
print(sum((Decimal(row[pnl]) for row in rows), Decimal(0)))
"""
_RAW_POSTGRES = """
import psycopg, sys
from decimal import Decimal
with psycopg.connect(sys.argv[1]) as conn:
    cursor = conn.execute("SELECT * FROM trades")
    rows = cursor.fetchall()
    pnl = [column.name for column in cursor.description].index("realized_pnl")
print(sum((row[pnl] for row in rows), Decimal(0)))
"""


def _round_trip(n: int, order_pk: int) -> tuple[list[dict[str, Any]], ...]:
    """Orders, fills and the trade of closed round trip ``n`` (LONG or SHORT, win or loss)."""
    pair, base, quantity = PAIRS[n % 3]
    long = (n // 3) % 2 == 0
    entry_price = base * Decimal(1000 + n % 61) / Decimal(1000)
    exit_price = base * Decimal(1000 + n % 53) / Decimal(1000)
    entry_at = T0 + timedelta(minutes=2 * n)
    exit_at = entry_at + timedelta(minutes=1)
    orders, fills = [], []
    for k, (side, price, at) in enumerate(
        [
            (Side.BUY if long else Side.SELL, entry_price, entry_at),
            (Side.SELL if long else Side.BUY, exit_price, exit_at),
        ]
    ):
        pk = order_pk + k
        commission = (price * quantity * FEE).quantize(Decimal("1e-8"))
        orders.append(
            {
                "order_pk": pk,
                "client_order_id": uuid.UUID(int=pk),
                "exchange_order_id": f"O{pk}",
                "signal_id": None,
                "trading_pair": pair,
                "exchange": "kraken",
                "side": side,
                "order_type": OrderType.MARKET,
                "quantity_ordered": quantity,
                "limit_price": None,
                "stop_price": None,
                "status": OrderStatus.FILLED,
                "error_message": None,
                "created_at": at,
                "submitted_at": at,
                "last_updated_at": at,
                "closed_at": at,
                "filled_quantity": quantity,
                "average_fill_price": price,
                "fill_notional": price * quantity,
                "commissions": {"USD": commission},
                "version": 2,
            }
        )
        fills.append(
            {
                "fill_id": f"T{pk:09d}",
                "order_pk": pk,
                "exchange_order_id": f"O{pk}",
                "trading_pair": pair,
                "exchange": "kraken",
                "side": side,
                "quantity_filled": quantity,
                "fill_price": price,
                "commission": commission,
                "commission_asset": "USD",
                "liquidity_type": None,
                "filled_at": at,
            }
        )
    entry_fee, exit_fee = fills[0]["commission"], fills[1]["commission"]
    gross = (exit_price - entry_price) * quantity * (1 if long else -1)
    entry_cash = entry_price * quantity + (entry_fee if long else -entry_fee)
    pnl = gross - entry_fee - exit_fee
    trade = {
        "trade_id": uuid.UUID(int=n + 1),
        "signal_id": None,
        "trading_pair": pair,
        "exchange": "kraken",
        "strategy_id": None,
        "side": TradeSide.LONG if long else TradeSide.SHORT,
        "grouping": TradeGrouping.FLAT_TO_FLAT,
        "entry_order_pk": order_pk,
        "exit_order_pk": order_pk + 1,
        "entry_timestamp": entry_at,
        "exit_timestamp": exit_at,
        "quantity": quantity,
        "entry_cash": entry_cash,
        "open_quantity": Decimal(0),
        "average_entry_price": entry_price,
        "average_exit_price": exit_price,
        "total_commission": entry_fee + exit_fee,
        "realized_pnl": pnl,
        "realized_pnl_pct": (100 * pnl / entry_cash).quantize(Decimal("1e-18")),
        "exit_reason": None,
    }
    return orders, fills, [trade]


def _chunks(count: int) -> Iterator[tuple[list[dict[str, Any]], ...]]:
    for start in range(0, count, CHUNK):
        orders: list[dict[str, Any]] = []
        fills: list[dict[str, Any]] = []
        trades: list[dict[str, Any]] = []
        for n in range(start, min(count, start + CHUNK)):
            o, f, tr = _round_trip(n, 2 * n + 1)
            orders += o
            fills += f
            trades += tr
        yield orders, fills, trades


def seed(url: URL, count: int) -> None:
    """Write ``count`` closed round trips (orders, fills, trades) in bulk."""
    engine = create_engine(url)
    with engine.begin() as conn:
        for orders, fills, trades in _chunks(count):
            bulk.insert_rows(conn, t.orders, orders)
            bulk.insert_rows(conn, t.fills, fills)
            bulk.insert_rows(conn, t.trades, trades)
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("ANALYZE")
    engine.dispose()


def _cli() -> list[str]:
    script = Path(sys.executable).with_name("gal-friday")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from gal_friday.cli.main import main; main()"]


#: Every subprocess may cache bytecode, as an installed package has it (pip compiles a wheel's
#: modules); with PYTHONDONTWRITEBYTECODE set, each run would compile our modules again.
_ENV = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}


def _run(command: list[str]) -> float:
    """The best wall clock of ``RUNS`` runs of ``command`` (which must succeed)."""

    def once() -> None:
        done = subprocess.run(command, capture_output=True, text=True, check=False, env=_ENV)
        if done.returncode != 0:
            raise RuntimeError(f"{command[-3:]} failed: {done.stderr[-500:]}")

    once()  # warm the page cache (and the bytecode cache) the same way for every command
    return min(timed(once) for _ in range(RUNS))


def _report_row(backend: str, count: int, ours: float, raw: float) -> Row:
    return Row(
        f"report: {count:,} closed trades on {backend} (s)",
        f"{ours:.2f}",
        f"{raw:.2f} (python + driver fetch + Decimal sum)",
        ours / raw,
        f"< {REPORT_TARGET:.0f} s",
        ours < REPORT_TARGET,
    )


def _sqlite_database(folder: Path, name: str, count: int) -> URL:
    url = make_url(f"sqlite:///{folder / name}")
    engine = create_engine(url)
    schema.upgrade(engine)
    engine.dispose()
    seed(url, count)
    return url


def run(count: int) -> list[Row]:
    """Seconds of ``report`` on SQLite and PostgreSQL, and of start-up, next to raw baselines."""
    cli = _cli()
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as folder:
        big = _sqlite_database(Path(folder), "big.db", count)
        small = _sqlite_database(Path(folder), "small.db", SMALL_TRADES)
        ours = _run([*cli, "--database-url", big.render_as_string(), "report"])
        raw = _run([sys.executable, "-c", _RAW_SQLITE, str(big.database)])
        rows.append(_report_row("SQLite", count, ours, raw))
        with scratch_database() as url:
            seed(url, count)
            given = url.render_as_string(hide_password=False)
            ours = _run([*cli, "--database-url", given, "report"])
            raw = _run([sys.executable, "-c", _RAW_POSTGRES, libpq(url)])
            rows.append(_report_row("PostgreSQL", count, ours, raw))
        bare = _run([sys.executable, "-c", "pass"])
        helped = _run([*cli, "--help"])
        small_report = _run([*cli, "--database-url", small.render_as_string(), "report"])
    for name, seconds in [
        ("--help", helped),
        (f"report, {SMALL_TRADES} trades on SQLite", small_report),
    ]:
        rows.append(
            Row(
                f"start-up: gal-friday {name} (s)",
                f"{seconds:.2f}",
                f"{bare:.2f} (python -c pass)",
                seconds / bare,
                f"<= {START_TARGET} s",
                seconds <= START_TARGET,
            )
        )
    return rows
