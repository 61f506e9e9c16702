"""Peak memory of ``gal-friday audit`` and ``gal-friday equity`` at two history sizes.

One SQLite database per size, written in bulk (Core ``executemany``, not the live path):
``count`` BTC/USD fills over :data:`DAYS` days, buys and sells in turn, each also a
two-row ledger trade (so the ledger holds ``2 * count + 1`` rows), the closed trades
they make and daily candles. The number of days is the same at both sizes: the curve
has as many rows, only the history grows.

Each command runs in a fresh process (``python -c`` running the CLI, output to
``/dev/null``); its peak resident memory is the kernel's ``VmHWM`` of that process.
The baseline is a raw ``sqlite3`` process streaming the same table (the ledger for the
audit, the fills for the equity) with ``Decimal`` sums: what reading the history costs
with nothing kept. The ratio is the large size's peak over the small one's (target 1.5).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from benchmarks.support import Row
from gal_friday.domain import Order
from gal_friday.domain.enums import OrderType, Side
from gal_friday.persistence import schema
from gal_friday.persistence.database import create_engine
from gal_friday.persistence.tables import definitions as t
from gal_friday.persistence.unit_of_work import UnitOfWork

T0 = datetime(2023, 1, 1, tzinfo=UTC)
DAYS = 365
LOT = Decimal("0.01")
FEE = Decimal("0.0104")
CHUNK = 10_000
TARGET = 1.5
#: Printed last on stderr by each measured process: its own peak (``VmHWM``, which counts
#: only this program's image; ``wait4``'s figure would include the parent's at the fork).
PEAK = """
def _peak():
    import sys
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmHWM:"))
    sys.stderr.write("\\npeak-kib " + line.split()[1] + "\\n")
"""
CLI = (
    PEAK
    + """
import sys
from gal_friday.cli.main import run
code = run(args=sys.argv[1:])
_peak()
sys.exit(code)
"""
)
RAW = (
    PEAK
    + """
import sqlite3, sys
from decimal import Decimal
connection = sqlite3.connect(sys.argv[1])
total = Decimal(0)
for (amount,) in connection.execute(sys.argv[2]):
    total += Decimal(amount)
print(total)
_peak()
"""
)
QUERIES = {
    "audit": "SELECT amount FROM ledger_entries ORDER BY exchange, asset, time, entry_pk",
    "equity": "SELECT quantity_filled FROM fills ORDER BY filled_at, fill_id",
}
COMMANDS = {"audit": ["audit"], "equity": ["equity", "--currency", "USD"]}


def _price(n: int) -> Decimal:
    return Decimal(40_000 + (n * 37) % 2_000)


def _chunks(rows: Iterator[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


def _fills(count: int, order_pk: int) -> Iterator[dict[str, Any]]:
    step = timedelta(microseconds=DAYS * 86_400_000_000 // count)
    for n in range(count):
        yield {
            "fill_id": f"T{n:08d}",
            "order_pk": order_pk,
            "trading_pair": "BTC/USD",
            "exchange": "kraken",
            "side": "BUY" if n % 2 == 0 else "SELL",
            "quantity_filled": LOT,
            "fill_price": _price(n),
            "commission": FEE,
            "commission_asset": "USD",
            "filled_at": T0 + timedelta(hours=1) + n * step,
        }


def _ledger(count: int) -> Iterator[dict[str, Any]]:
    usd, btc = Decimal(1_000_000), Decimal(0)
    yield _entry("D0", "RD0", T0, "deposit", "USD", usd, Decimal(0), usd)
    for fill in _fills(count, 0):
        sign = 1 if fill["side"] == "BUY" else -1
        btc += sign * LOT
        usd -= sign * LOT * fill["fill_price"] + FEE
        n, when = fill["fill_id"], fill["filled_at"]
        yield _entry(f"A{n}", n, when, "trade", "BTC", sign * LOT, Decimal(0), btc)
        yield _entry(f"B{n}", n, when, "trade", "USD", -sign * LOT * fill["fill_price"], FEE, usd)


def _entry(
    txid: str, refid: str, when: datetime, kind: str, asset: str, *amounts: Decimal
) -> dict[str, Any]:
    amount, fee, balance = amounts
    return {"exchange": "kraken", "txid": txid, "refid": refid, "time": when, "type": kind,
            "asset": asset, "amount": amount, "fee": fee, "balance": balance}  # fmt: skip


def _trades(count: int) -> Iterator[dict[str, Any]]:
    fills = _fills(count, 0)
    for entry, exit_ in zip(fills, fills, strict=False):
        pnl = (exit_["fill_price"] - entry["fill_price"]) * LOT - 2 * FEE
        yield {
            "trade_id": uuid.uuid4(), "trading_pair": "BTC/USD", "exchange": "kraken",
            "side": "LONG", "grouping": "FLAT_TO_FLAT", "entry_timestamp": entry["filled_at"],
            "exit_timestamp": exit_["filled_at"], "quantity": LOT,
            "entry_cash": LOT * entry["fill_price"], "open_quantity": Decimal(0),
            "average_entry_price": entry["fill_price"], "average_exit_price": exit_["fill_price"],
            "total_commission": 2 * FEE, "realized_pnl": pnl,
        }  # fmt: skip


def _candles() -> Iterator[dict[str, Any]]:
    for day in range(DAYS + 2):
        close = Decimal(40_000 + day * 3)
        yield {"exchange": "kraken", "trading_pair": "BTC/USD", "interval_s": 86_400,
               "open_time": T0 + timedelta(days=day), "open": close, "high": close,
               "low": close, "close": close, "volume": Decimal(1)}  # fmt: skip


def seed(path: Path, count: int) -> str:
    """A migrated SQLite file at ``path`` holding the history of ``count`` fills; its URL."""
    url = f"sqlite:///{path}"
    engine = create_engine(url)
    schema.upgrade(engine)
    with UnitOfWork(engine) as uow:  # one order the bulk fills belong to
        order = Order(trading_pair="BTC/USD", exchange="kraken", side=Side.BUY,
                      order_type=OrderType.MARKET, quantity_ordered=LOT, created_at=T0)  # fmt: skip
        uow.orders.add(order)
        uow.commit()
        order_pk = order.order_pk
    if order_pk is None:
        raise RuntimeError("the order was stored without a key")
    with engine.begin() as connection:
        for table, rows in (
            (t.fills, _fills(count, order_pk)),
            (t.ledger_entries, _ledger(count)),
            (t.trades, _trades(count)),
            (t.candles, _candles()),
        ):
            for batch in _chunks(rows):
                connection.execute(insert(table), batch)
    engine.dispose()
    return url


def peak_mib(argv: list[str]) -> tuple[float, int]:
    """Peak resident memory (MiB) of ``argv`` run in a fresh process, and its exit code."""
    result = subprocess.run(
        argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False
    )
    marks = [line for line in result.stderr.splitlines() if line.startswith("peak-kib ")]
    if not marks:
        raise RuntimeError(f"{argv[3:]} printed no peak: {result.stderr[-500:]}")
    return int(marks[-1].split()[1]) / 1024, result.returncode


def run(sizes: list[int]) -> list[Row]:
    """Peak RSS of each command at the two ``sizes`` (fills), with the raw read's."""
    small, large = sizes
    peaks: dict[tuple[str, int], tuple[float, float]] = {}
    with tempfile.TemporaryDirectory(prefix="gf_memory_") as folder:
        for count in sizes:
            path = Path(folder) / f"history_{count}.db"
            url = seed(path, count)
            for name, args in COMMANDS.items():
                ours, code = peak_mib([sys.executable, "-c", CLI, "--database-url", url, *args])
                if code != 0:
                    raise RuntimeError(f"gal-friday {name} exited {code} on {count} fills")
                raw, _ = peak_mib([sys.executable, "-c", RAW, str(path), QUERIES[name]])
                peaks[(name, count)] = (ours, raw)
            path.unlink()
    rows = []
    for name in COMMANDS:
        ours_small, raw_small = peaks[(name, small)]
        ours_large, raw_large = peaks[(name, large)]
        ratio = ours_large / ours_small
        rows.append(
            Row(
                name=f"{name} peak RSS, SQLite, {small:,} -> {large:,} fills (ledger 2 rows each)",
                ours=f"{ours_small:.0f} -> {ours_large:.0f} MiB",
                baseline=f"raw read {raw_small:.0f} -> {raw_large:.0f} MiB",
                ratio=ratio,
                target=f"large/small <= {TARGET}",
                met=ratio <= TARGET,
            )
        )
    return rows
