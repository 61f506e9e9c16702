"""Do the stored orders carry the aggregates of their own fills? (docs/trading-rules.md)"""

from __future__ import annotations

from sqlalchemy import Engine, select

from gal_friday.domain.order import fill_aggregates
from gal_friday.persistence.tables import definitions as tables
from gal_friday.persistence.unit_of_work import UnitOfWork


def orders_disagreeing(engine: Engine) -> list[str]:
    """``exchange/exchange_order_id: stored ... != fills ...`` for every stored order whose
    ``filled_quantity``, ``fill_notional``, ``average_fill_price`` or ``commissions`` are not
    :func:`~gal_friday.domain.order.fill_aggregates` of its stored fills."""
    with engine.connect() as conn:
        keys = list(conn.scalars(select(tables.orders.c.order_pk).order_by("order_pk")))
    found = []
    with UnitOfWork(engine) as uow:
        for key in keys:
            order = uow.orders.get(key)
            assert order is not None
            stored = (
                order.filled_quantity,
                order.fill_notional,
                order.average_fill_price,
                order.commissions,
            )
            totals = fill_aggregates(order.fills)
            computed = (
                totals.filled_quantity,
                totals.fill_notional,
                totals.average_fill_price,
                totals.commissions,
            )
            if stored != computed:
                found.append(f"{order.exchange}/{order.exchange_order_id}: {stored} != {computed}")
    return found
