"""Revision 0003_order_aggregates backfills each order's exact notional and commissions."""

from __future__ import annotations

import uuid
from decimal import Decimal

import sqlalchemy as sa

from gal_friday.domain.order import fill_aggregates
from gal_friday.persistence import schema
from gal_friday.persistence.unit_of_work import UnitOfWork
from tests.factories import T0, at, make_fill
from tests.migrations.test_migrations import empty_engine  # noqa: F401  (fixture)

_ORDER = {
    "order_pk": 1,
    "client_order_id": uuid.uuid4(),
    "exchange_order_id": "EX-1",
    "trading_pair": "BTC/USD",
    "exchange": "kraken",
    "side": "BUY",
    "order_type": "MARKET",
    "quantity_ordered": "1",
    "status": "FILLED",
    "created_at": T0,
    "last_updated_at": at(3),
    "filled_quantity": "1",
    "average_fill_price": "100.000000000000000033",
    "version": 4,
}


def _fills() -> list:
    return [
        make_fill(
            f"M{n}",
            quantity_filled=quantity,
            fill_price=price,
            commission=fee,
            commission_asset=asset,
            filled_at=at(n),
        )
        for n, (quantity, price, fee, asset) in enumerate(
            [
                (Decimal("0.333333333333333333"), Decimal("100.000000000000000001"), "0.1", "USD"),
                (Decimal("0.333333333333333333"), Decimal("99.999999999999999999"), "0.2", "USD"),
                (Decimal("0.333333333333333334"), Decimal("100.0000000000000001"), "0.0003", "BNB"),
            ]
        )
    ]


def test_existing_orders_get_the_exact_aggregates_of_their_fills(empty_engine):  # noqa: F811
    made = _fills()  # made once the classes are mapped
    schema.upgrade(empty_engine, "0001")
    orders = sa.table(
        "orders",
        *(sa.column(name, sa.Uuid() if name == "client_order_id" else None) for name in _ORDER),
    )
    names = ("fill_id", "trading_pair", "exchange", "side", "quantity_filled", "fill_price")
    names += ("commission", "commission_asset", "filled_at")
    fills = sa.table("fills", sa.column("order_pk"), *(sa.column(name) for name in names))
    sqlite = empty_engine.dialect.name == "sqlite"
    with empty_engine.begin() as conn:
        order = dict(_ORDER)
        if sqlite:
            order.update(
                created_at=T0.replace(tzinfo=None), last_updated_at=at(3).replace(tzinfo=None)
            )
        conn.execute(sa.insert(orders), [order])
        rows = []
        for fill in made:
            row = {name: getattr(fill, name) for name in names}
            row["side"] = fill.side.value
            for money in ("quantity_filled", "fill_price", "commission"):
                row[money] = str(row[money])
            if sqlite:
                row["filled_at"] = fill.filled_at.replace(tzinfo=None)
            rows.append({**row, "order_pk": 1})
        conn.execute(sa.insert(fills), rows)
    schema.upgrade(empty_engine)
    expected = fill_aggregates(made)
    with UnitOfWork(empty_engine) as uow:
        order = uow.orders.get(1)
    assert order is not None
    assert order.fill_notional == expected.fill_notional
    assert order.fill_notional == Decimal("100.0000000000000000333333333333333334")  # by hand
    assert order.commissions == {"USD": Decimal("0.3"), "BNB": Decimal("0.0003")}
