"""Revision 0007_account_book: the fills' extra commissions, kind and trades.csv figures."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from gal_friday.persistence import schema
from tests.migrations.test_migrations import empty_engine  # noqa: F401  (fixture)

BEFORE, THIS = "0006_order_aggregates_repair", "0007_account_book"
AT = datetime(2024, 5, 2, 10, tzinfo=UTC)


def _reflected(engine: sa.Engine, name: str) -> sa.Table:
    return sa.Table(name, sa.MetaData(), autoload_with=engine)


def _store_a_fill(engine: sa.Engine) -> None:
    """One order and its fill, as revision 0006 stores them (Core, that revision's columns)."""
    orders = _reflected(engine, "orders")
    fills = _reflected(engine, "fills")
    order = {
        "client_order_id": "0f6b1c6e-0000-4000-8000-000000000001",
        "exchange_order_id": "O1",
        "trading_pair": "USDT/GBP",
        "exchange": "kraken",
        "side": "BUY",
        "order_type": "MARKET",
        "quantity_ordered": "1000",
        "status": "FILLED",
        "created_at": AT,
        "last_updated_at": AT,
        "filled_quantity": "1000",
        "average_fill_price": "0.79",
        "fill_notional": "790",
        "commissions": {"GBP": "3"},
        "version": 1,
    }
    with engine.begin() as conn:
        known = {c.name for c in orders.columns}
        if engine.dialect.name == "postgresql":
            order["client_order_id"] = sa.func.cast(order["client_order_id"], sa.Uuid)
        order_pk = conn.execute(
            sa.insert(orders)
            .values({k: v for k, v in order.items() if k in known})
            .returning(orders.c.order_pk)
        ).scalar_one()
        conn.execute(
            sa.insert(fills).values(
                fill_id="T1",
                order_pk=order_pk,
                exchange_order_id="O1",
                trading_pair="USDT/GBP",
                exchange="kraken",
                side="BUY",
                quantity_filled="1000",
                fill_price="0.79",
                commission="3",
                commission_asset="GBP",
                filled_at=AT,
            )
        )


def _fill_row(engine: sa.Engine) -> dict[str, object]:
    with engine.connect() as conn:
        return dict(conn.execute(sa.select(_reflected(engine, "fills"))).mappings().one())


def _json(value: object) -> object:
    return json.loads(value) if isinstance(value, str) else value


def test_stored_fills_take_the_defaults_and_the_downgrade_keeps_what_it_cannot_hold(
    empty_engine,  # noqa: F811
):
    schema.upgrade(empty_engine, BEFORE)
    _store_a_fill(empty_engine)
    schema.upgrade(empty_engine, THIS)
    row = _fill_row(empty_engine)
    assert row["kind"] == "TRADE"
    assert _json(row["extra_commissions"]) == {} and _json(row["reported"]) == {}

    fills = _reflected(empty_engine, "fills")
    with empty_engine.begin() as conn:
        conn.execute(sa.update(fills).values(extra_commissions={"USDT": "2"}))
    with pytest.raises(RuntimeError, match=r"fills with commissions in several assets.*T1"):
        schema.downgrade(empty_engine, BEFORE)
    assert schema.current(empty_engine) == THIS
    with empty_engine.begin() as conn:
        conn.execute(sa.update(fills).values(extra_commissions={}, kind="CONVERSION"))
    with pytest.raises(RuntimeError, match=r"T1 \(CONVERSION\)"):
        schema.downgrade(empty_engine, BEFORE)
    with empty_engine.begin() as conn:
        with pytest.raises(sa.exc.IntegrityError), conn.begin_nested():
            conn.execute(sa.update(fills).values(kind="SWAP"))  # ck_fills_kind_valid
        conn.execute(sa.update(fills).values(kind="TRADE"))

    schema.downgrade(empty_engine, BEFORE)
    assert {"kind", "extra_commissions", "reported"}.isdisjoint(_fill_row(empty_engine))
    schema.upgrade(empty_engine, THIS)  # and up again
    assert _fill_row(empty_engine)["kind"] == "TRADE"
