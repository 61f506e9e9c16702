"""Loading orders with their fills into domain objects vs a raw psycopg fetch of the same rows."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import psycopg
from sqlalchemy import select

from benchmarks.support import T0, Row, libpq, scratch_database, timed
from gal_friday.domain import Fill, Order
from gal_friday.persistence import bulk
from gal_friday.persistence.database import create_engine
from gal_friday.persistence.unit_of_work import UnitOfWork

FILLS_PER_ORDER = 2


def _seed(url: object, count: int) -> None:
    engine = create_engine(url)  # type: ignore[arg-type]
    orders = []
    for n in range(count):
        order = Order(
            trading_pair="XRP/USD",
            exchange="kraken",
            side="BUY",
            order_type="MARKET",
            quantity_ordered=Decimal(10),
            created_at=T0,
        )
        for k in range(FILLS_PER_ORDER):
            order.apply_fill(
                Fill(
                    fill_id=f"F{n}-{k}",
                    trading_pair="XRP/USD",
                    exchange="kraken",
                    side="BUY",
                    quantity_filled=Decimal(5),
                    fill_price=Decimal("0.5"),
                    commission=Decimal("0.01"),
                    commission_asset="USD",
                    filled_at=T0 + timedelta(seconds=n),
                )
            )
        orders.append(order)
    with UnitOfWork(engine) as uow:
        bulk.insert_orders(uow.connection, orders)
        fills = [f for o in orders for f in o.fills]
        for order in orders:
            for fill in order.fills:
                fill.order_pk = order.order_pk
        bulk.insert_fills(uow.connection, fills)
        uow.commit()
    engine.dispose()


def run(count: int) -> list[Row]:
    """Rows per second of both."""
    with scratch_database() as url:
        _seed(url, count)
        engine = create_engine(url)

        def ours() -> None:
            with UnitOfWork(engine) as uow:
                loaded = list(uow.session.scalars(select(Order)))
                assert sum(len(o.fills) for o in loaded) == count * FILLS_PER_ORDER

        def raw() -> None:
            with psycopg.connect(libpq(url)) as conn:
                conn.execute("SELECT * FROM orders").fetchall()
                conn.execute("SELECT * FROM fills").fetchall()

        ours()  # warm caches the same way for both
        raw()
        ours_time, raw_time = timed(ours), timed(raw)
        engine.dispose()
    rows = count * (1 + FILLS_PER_ORDER)
    ratio = raw_time / ours_time
    return [
        Row(
            f"load {count:,} orders + fills into objects (rows/s)",
            f"{rows / ours_time:,.0f}",
            f"{rows / raw_time:,.0f} (fetchall)",
            ratio,
            ">= 0.50",
            ratio >= 0.5,
        )
    ]
