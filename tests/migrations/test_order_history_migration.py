"""Revision 0013_order_history on both backends: stored UUID client order ids become their
canonical text (fills still attached), the new status and history work, and the downgrade
refuses what the older schema cannot hold, else gives the UUIDs back."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
import sqlalchemy as sa

from gal_friday.domain import OrderStatus
from gal_friday.persistence import schema
from gal_friday.persistence.unit_of_work import UnitOfWork
from gal_friday.services.live_fills import FillOutcome, record_fill
from tests.factories import T0, at, make_fill
from tests.migrations.test_migrations import empty_engine  # noqa: F401  (fixture)

BEFORE = "0012_events_and_payloads"
AFTER = "0013_order_history"
IDS = [uuid.UUID(f"{n}50e8400-e29b-41d4-a716-44665544000{n}") for n in range(1, 4)]


def _orders_table(id_type: sa.types.TypeEngine[object]) -> sa.TableClause:
    """``orders`` as an older revision sees it (its own id type, not today's model)."""
    return sa.table(
        "orders",
        sa.column("order_pk", sa.Integer()),
        sa.column("client_order_id", id_type),
        sa.column("trading_pair", sa.String()),
        sa.column("exchange", sa.String()),
        sa.column("side", sa.String()),
        sa.column("order_type", sa.String()),
        sa.column("quantity_ordered", sa.Numeric()),
        sa.column("status", sa.String()),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("last_updated_at", sa.DateTime(timezone=True)),
        sa.column("filled_quantity", sa.Numeric()),
        sa.column("fill_notional", sa.Numeric()),
        sa.column("version", sa.Integer()),
    )


def _store_uuid_orders(engine: sa.Engine) -> None:
    orders = _orders_table(sa.Uuid())
    fills = sa.table(
        "fills",
        *(
            sa.column(name)
            for name in (
                "fill_id",
                "order_pk",
                "trading_pair",
                "exchange",
                "side",
                "quantity_filled",
                "fill_price",
                "commission",
                "commission_asset",
                "filled_at",
            )
        ),
    )
    with engine.begin() as conn:
        conn.execute(
            orders.insert(),
            [
                {
                    "order_pk": pk,
                    "client_order_id": ident,
                    "trading_pair": "BTC/USD",
                    "exchange": "kraken",
                    "side": "BUY",
                    "order_type": "MARKET",
                    "quantity_ordered": "2",
                    "status": "PARTIALLY_FILLED",
                    "created_at": T0,
                    "last_updated_at": T0,
                    "filled_quantity": "1",
                    "fill_notional": "100",
                    "version": 2,
                }
                for pk, ident in enumerate(IDS, start=1)
            ],
        )
        conn.execute(
            fills.insert(),
            [
                {
                    "fill_id": f"OLD-{pk}",
                    "order_pk": pk,
                    "trading_pair": "BTC/USD",
                    "exchange": "kraken",
                    "side": "BUY",
                    "quantity_filled": "1",
                    "fill_price": "100",
                    "commission": "0",
                    "commission_asset": "USD",
                    "filled_at": T0,
                }
                for pk in range(1, len(IDS) + 1)
            ],
        )


def test_stored_uuid_ids_become_text_and_the_new_lifecycle_works(empty_engine):  # noqa: F811
    schema.upgrade(empty_engine, BEFORE)
    _store_uuid_orders(empty_engine)
    schema.upgrade(empty_engine, AFTER)
    assert schema.check(empty_engine) == []
    with empty_engine.connect() as conn:
        raw = conn.execute(sa.text("SELECT client_order_id FROM orders ORDER BY order_pk"))
        assert [value for (value,) in raw] == [str(ident) for ident in IDS]
        if empty_engine.dialect.name == "sqlite":  # the definition was edited in place
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalars().all() == ["ok"]
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
    with UnitOfWork(empty_engine) as uow:
        by_uuid = uow.orders.get_by_client_id(IDS[0])
        assert by_uuid is not None and by_uuid.client_order_id == str(IDS[0])
        assert [f.fill_id for f in by_uuid.fills] == ["OLD-1"]
        assert uow.orders.get_by_client_id(str(IDS[1])).order_pk == 2
        assert uow.orders.history(1) == []  # stored before: no history until it changes
        by_uuid.request_cancel(at(1))
        uow.commit()
    factory = lambda: UnitOfWork(empty_engine)  # noqa: E731
    fill = make_fill("NEW-1", quantity_filled=Decimal(1), filled_at=at(2))
    assert record_fill(factory, fill, client_order_id=IDS[0]) is FillOutcome.RECORDED
    with UnitOfWork(empty_engine) as uow:
        assert uow.orders.get(1).status is OrderStatus.FILLED
        assert [(c.from_status, c.to_status) for c in uow.orders.history(1)] == [
            (OrderStatus.PARTIALLY_FILLED, OrderStatus.CANCEL_REQUESTED),
            (OrderStatus.CANCEL_REQUESTED, OrderStatus.FILLED),
        ]


def _set(engine: sa.Engine, pk: int, **values: object) -> None:
    with engine.begin() as conn:
        conn.execute(
            _orders_table(sa.String()).update().where(sa.column("order_pk") == pk).values(values)
        )


def test_the_downgrade_refuses_text_ids_and_cancel_requests_then_gives_uuids_back(
    empty_engine,  # noqa: F811
):
    schema.upgrade(empty_engine, BEFORE)
    _store_uuid_orders(empty_engine)
    schema.upgrade(empty_engine, AFTER)
    _set(empty_engine, 2, client_order_id="gf-1a2b3c4d-1733500000000000")
    with pytest.raises(RuntimeError, match="'gf-1a2b3c4d-1733500000000000'.*UUIDs"):
        schema.downgrade(empty_engine, BEFORE)
    _set(empty_engine, 2, client_order_id=str(IDS[1]).upper())  # a UUID, not in canonical text
    with pytest.raises(RuntimeError, match="not UUIDs in canonical text"):
        schema.downgrade(empty_engine, BEFORE)
    _set(empty_engine, 2, client_order_id=str(IDS[1]), status="CANCEL_REQUESTED")
    with pytest.raises(RuntimeError, match="CANCEL_REQUESTED"):
        schema.downgrade(empty_engine, BEFORE)
    assert schema.current(empty_engine) == AFTER  # every refusal changed nothing
    _set(empty_engine, 2, status="PARTIALLY_FILLED")
    schema.downgrade(empty_engine, BEFORE)
    assert "order_status_history" not in sa.inspect(empty_engine).get_table_names()
    with empty_engine.connect() as conn:
        ids = conn.execute(
            sa.select(_orders_table(sa.Uuid()).c.client_order_id).order_by(sa.column("order_pk"))
        ).scalars()
        assert list(ids) == IDS
    with pytest.raises(sa.exc.IntegrityError), empty_engine.begin() as conn:  # the old CHECK
        conn.execute(sa.text("UPDATE orders SET status = 'CANCEL_REQUESTED' WHERE order_pk = 1"))
    schema.upgrade(empty_engine)
    assert schema.check(empty_engine) == []
