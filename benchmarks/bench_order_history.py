"""The status history on the live path: a fill that changes its order's status writes one
``order_status_history`` row more (docs/orders.md, "History"); one that does not, none.

Three contenders on PostgreSQL, one sample of each per round:

* ``record_fill`` of the first fill of a fresh order (PENDING_SUBMIT -> PARTIALLY_FILLED:
  lock, fill INSERT and order UPDATE in one statement, then the history INSERT);
* ``record_fill`` of the second partial fill of an order (no change: no history row);
* the raw baseline of the first: the same transaction in hand-written psycopg (lock,
  duplicate check, fill INSERT, order UPDATE, history INSERT).
"""

from __future__ import annotations

import itertools
import time
from decimal import Decimal

import psycopg

from benchmarks.bench_live_path import _fill, _orders
from benchmarks.support import Row, libpq, median, percentile, scratch_database
from gal_friday.domain import Fill
from gal_friday.persistence.database import create_engine
from gal_friday.persistence.unit_of_work import UnitOfWork
from gal_friday.services.live_fills import record_fill

TARGET = 1.4


class _Ours:
    """``record_fill`` of one fill per stored order: its first (``fresh``), or its second."""

    def __init__(self, url: object, count: int, *, fresh: bool) -> None:
        self.engine = create_engine(url)  # type: ignore[arg-type]
        self.orders = _orders(url, count)
        self.samples: list[float] = []
        if not fresh:  # every order is PARTIALLY_FILLED before its sample
            for n, order in enumerate(self.orders):
                self._record(_fill(-1 - n), order.client_order_id)

    def _record(self, fill: Fill, client_order_id: str) -> None:
        factory = lambda: UnitOfWork(self.engine)  # noqa: E731
        record_fill(factory, fill, client_order_id=client_order_id, refresh_trades=False)

    def sample(self, n: int) -> None:
        order = self.orders[n]
        fill = _fill(n)
        started = time.perf_counter()
        self._record(fill, order.client_order_id)
        self.samples.append(time.perf_counter() - started)


RAW_SELECT = (
    "SELECT order_pk, quantity_ordered, filled_quantity, status, version FROM orders"
    " WHERE client_order_id = %s FOR UPDATE"
)
RAW_DUPLICATE = "SELECT 1 FROM fills WHERE exchange = %s AND fill_id = %s"
RAW_INSERT = (
    "INSERT INTO fills (fill_id, order_pk, trading_pair, exchange, side, quantity_filled,"
    " fill_price, commission, commission_asset, filled_at)"
    " VALUES (%s, %s, 'BTC/USD', 'kraken', 'BUY', %s, %s, %s, 'USD', %s)"
)
RAW_UPDATE = (
    "UPDATE orders SET filled_quantity = filled_quantity + %s, status = 'PARTIALLY_FILLED',"
    " last_updated_at = %s, version = version + 1 WHERE order_pk = %s AND version = %s"
)
RAW_HISTORY = (
    "INSERT INTO order_status_history (order_pk, from_status, to_status, changed_at, reason,"
    " filled_quantity) VALUES (%s, %s, 'PARTIALLY_FILLED', %s, %s, %s)"
)


class _Raw:
    """The status-changing fill in hand-written psycopg, on fresh orders."""

    def __init__(self, url: object, count: int) -> None:
        self.orders = _orders(url, count)
        self.conn = psycopg.connect(libpq(url))  # type: ignore[arg-type]
        self.samples: list[float] = []

    def sample(self, n: int) -> None:
        conn, fill = self.conn, _fill(n)
        started = time.perf_counter()
        with conn.transaction():
            row = conn.execute(RAW_SELECT, (self.orders[n].client_order_id,)).fetchone()
            if row is None:
                raise LookupError("the order is stored")
            pk, ordered, filled, status, version = row
            conn.execute(RAW_DUPLICATE, ("kraken", fill.fill_id)).fetchone()
            new_filled: Decimal = filled + fill.quantity_filled
            if new_filled > ordered:
                raise ValueError("overfill")
            conn.execute(
                RAW_INSERT,
                (
                    fill.fill_id,
                    pk,
                    fill.quantity_filled,
                    fill.fill_price,
                    fill.commission,
                    fill.filled_at,
                ),
            )
            conn.execute(RAW_UPDATE, (fill.quantity_filled, fill.filled_at, pk, version))
            conn.execute(
                RAW_HISTORY, (pk, status, fill.filled_at, f"fill {fill.fill_id}", new_filled)
            )
        self.samples.append(time.perf_counter() - started)


def run(fills: int) -> list[Row]:
    """Median and p99 of a status-changing fill (ours vs raw), and its cost over a fill that
    changes nothing. Rounds rotate the contenders' order (as ``bench_live_path`` does)."""
    with (
        scratch_database() as change_url,
        scratch_database() as same_url,
        scratch_database() as raw_url,
    ):
        changing = _Ours(change_url, fills, fresh=True)
        same = _Ours(same_url, fills, fresh=False)
        raw = _Raw(raw_url, fills)
        contenders: tuple[_Raw | _Ours, ...] = (raw, changing, same)
        try:
            rounds = list(itertools.permutations(contenders))
            for n in range(fills):
                for contender in rounds[n % len(rounds)]:
                    contender.sample(n)
        finally:
            raw.conn.close()
            changing.engine.dispose()
            same.engine.dispose()
    ratio = median(changing.samples) / median(raw.samples)
    extra = median(changing.samples) / median(same.samples)
    return [
        Row(
            "live fill changing the status (+1 history row): median ms",
            f"{median(changing.samples) * 1e3:.2f}",
            f"{median(raw.samples) * 1e3:.2f} (raw SQL)",
            ratio,
            f"<= {TARGET:.2f}",
            ratio <= TARGET,
        ),
        Row(
            "live fill changing the status (+1 history row): p99 ms",
            f"{percentile(changing.samples, 99) * 1e3:.2f}",
            f"{percentile(raw.samples, 99) * 1e3:.2f}",
            percentile(changing.samples, 99) / percentile(raw.samples, 99),
            "reported",
            None,
        ),
        Row(
            "live fill: median with a status change / without",
            f"{median(changing.samples) * 1e3:.2f}",
            f"{median(same.samples) * 1e3:.2f}",
            extra,
            "reported",
            None,
        ),
    ]
