"""The live path (load an order, apply a fill, store it, update the order, commit) vs raw SQL."""

from __future__ import annotations

import time
from datetime import timedelta
from decimal import Decimal

import psycopg

from benchmarks.support import T0, Row, libpq, median, percentile, scratch_database
from gal_friday.domain import Fill, Order
from gal_friday.persistence.database import create_engine
from gal_friday.persistence.unit_of_work import UnitOfWork
from gal_friday.services.live_fills import record_fill

ORDERS = 50


def _orders(url: object) -> list[Order]:
    engine = create_engine(url)  # type: ignore[arg-type]
    orders = [
        Order(
            trading_pair="BTC/USD",
            exchange="kraken",
            side="BUY",
            order_type="MARKET",
            quantity_ordered=Decimal(1_000_000),
            created_at=T0,
        )
        for _ in range(ORDERS)
    ]
    with UnitOfWork(engine) as uow:
        for order in orders:
            uow.orders.add(order)
        uow.commit()
    engine.dispose()
    return orders


def _fill(n: int, exchange_order_id: str | None = None) -> Fill:
    return Fill(
        fill_id=f"L{n:07d}",
        trading_pair="BTC/USD",
        exchange="kraken",
        side="BUY",
        quantity_filled=Decimal("0.5"),
        fill_price=Decimal(100 + n % 7),
        commission=Decimal("0.01"),
        commission_asset="USD",
        filled_at=T0 + timedelta(seconds=n),
        exchange_order_id=exchange_order_id,
    )


def _ours(url: object, fills: int) -> list[float]:
    orders = _orders(url)
    engine = create_engine(url)  # type: ignore[arg-type]
    samples = []
    for n in range(fills):
        order = orders[n % ORDERS]
        started = time.perf_counter()
        record_fill(lambda: UnitOfWork(engine), _fill(n), client_order_id=order.client_order_id)
        samples.append(time.perf_counter() - started)
    engine.dispose()
    return samples


RAW_SELECT = (
    "SELECT order_pk, quantity_ordered, filled_quantity, version FROM orders"
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


def _raw(url: object, fills: int) -> list[float]:
    orders = _orders(url)
    samples = []
    with psycopg.connect(libpq(url)) as conn:  # type: ignore[arg-type]
        for n in range(fills):
            fill = _fill(n)
            started = time.perf_counter()
            with conn.transaction():
                pk, ordered, filled, version = conn.execute(
                    RAW_SELECT, (orders[n % ORDERS].client_order_id,)
                ).fetchone()  # type: ignore[misc]
                conn.execute(RAW_DUPLICATE, ("kraken", fill.fill_id)).fetchone()
                assert filled + fill.quantity_filled <= ordered
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
            samples.append(time.perf_counter() - started)
    return samples


def run(fills: int) -> list[Row]:
    """Median and p99 latency of both."""
    with scratch_database() as ours_url, scratch_database() as raw_url:
        ours = _ours(ours_url, fills)
        raw = _raw(raw_url, fills)
    ratio = median(ours) / median(raw)
    return [
        Row(
            f"live path, {fills:,} fills on {ORDERS} orders: median ms",
            f"{median(ours) * 1e3:.2f}",
            f"{median(raw) * 1e3:.2f} (raw SQL)",
            ratio,
            "<= 1.50",
            ratio <= 1.5,
        ),
        Row(
            "live path: p99 ms",
            f"{percentile(ours, 99) * 1e3:.2f}",
            f"{percentile(raw, 99) * 1e3:.2f}",
            percentile(ours, 99) / percentile(raw, 99),
            "reported",
            None,
        ),
    ]
