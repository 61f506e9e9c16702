"""Revision 0009_trade_attribution: orders get a strategy and a reason, stored trades their
entry order's signal and strategy; the downgrade takes the columns away again."""

from __future__ import annotations

import uuid
from decimal import Decimal

import sqlalchemy as sa

from gal_friday.persistence import schema
from gal_friday.persistence.tables import definitions as t
from tests.factories import T0, at
from tests.migrations.test_migrations import empty_engine  # noqa: F401  (fixture)

BEFORE = "0008_ledger_kinds"
AFTER = "0009_trade_attribution"
SIGNAL = uuid.UUID(int=42)


def _order(pk: int, side: str, signal_id: uuid.UUID | None) -> dict[str, object]:
    return {
        "order_pk": pk,
        "client_order_id": uuid.UUID(int=pk),
        "exchange_order_id": f"O{pk}",
        "signal_id": signal_id,
        "trading_pair": "BTC/USD",
        "exchange": "kraken",
        "side": side,
        "order_type": "MARKET",
        "quantity_ordered": Decimal(1),
        "status": "FILLED",
        "created_at": T0,
        "last_updated_at": T0,
        "filled_quantity": Decimal(1),
        "average_fill_price": Decimal(100),
        "fill_notional": Decimal(100),
        "commissions": {},
        "version": 2,
    }


def _trade(n: int, entry_pk: int, exit_pk: int) -> dict[str, object]:
    return {
        "trade_id": uuid.UUID(int=1000 + n),
        "trading_pair": "BTC/USD",
        "exchange": "kraken",
        "side": "LONG",
        "grouping": "FLAT_TO_FLAT",
        "entry_order_pk": entry_pk,
        "exit_order_pk": exit_pk,
        "entry_timestamp": at(n),
        "exit_timestamp": at(n + 1),
        "quantity": Decimal(1),
        "entry_cash": Decimal(100),
        "open_quantity": Decimal(0),
        "average_entry_price": Decimal(100),
        "average_exit_price": Decimal(100),
        "total_commission": Decimal(0),
        "realized_pnl": Decimal(0),
    }


def _orders_0008() -> sa.TableClause:
    """``orders`` as revision 0008 has it (later revisions change the model's columns)."""
    types = {c.name: c.type for c in t.orders.columns}
    types["client_order_id"] = sa.Uuid()
    return sa.table("orders", *(sa.column(name, types[name]) for name in _order(0, "BUY", None)))


def _columns(engine: sa.Engine, table: str) -> set[str]:
    return {c["name"] for c in sa.inspect(engine).get_columns(table)}


def _indexes(engine: sa.Engine, table: str) -> set[str]:
    return {i["name"] for i in sa.inspect(engine).get_indexes(table)}


def test_stored_trades_take_their_entry_orders_signal_and_strategy(empty_engine):  # noqa: F811
    schema.upgrade(empty_engine, BEFORE)
    with empty_engine.begin() as conn:
        conn.execute(
            sa.insert(t.signals),
            {
                "signal_id": SIGNAL,
                "trading_pair": "BTC/USD",
                "exchange": "kraken",
                "strategy_id": "trend",
                "side": "BUY",
                "entry_type": "MARKET",
                "status": "APPROVED",
                "created_at": T0,
            },
        )
        conn.execute(
            sa.insert(_orders_0008()),
            [_order(1, "BUY", SIGNAL), _order(2, "SELL", None), _order(3, "BUY", None)],
        )
        conn.execute(sa.insert(t.trades), [_trade(1, 1, 2), _trade(3, 3, 2)])
    assert "strategy_id" not in _columns(empty_engine, "orders")
    schema.upgrade(empty_engine, AFTER)
    assert {"strategy_id", "reason"} <= _columns(empty_engine, "orders")
    assert "ix_orders_strategy_id" in _indexes(empty_engine, "orders")
    assert "ix_trades_signal_id" in _indexes(empty_engine, "trades")
    with empty_engine.connect() as conn:
        selected = sa.select(t.orders.c.order_pk, t.orders.c.strategy_id)
        orders = {row.order_pk: row.strategy_id for row in conn.execute(selected)}
        trades = conn.execute(
            sa.select(
                t.trades.c.entry_order_pk, t.trades.c.signal_id, t.trades.c.strategy_id
            ).order_by(t.trades.c.entry_order_pk)
        ).all()
    assert orders == {1: "trend", 2: None, 3: None}
    assert [tuple(row) for row in trades] == [(1, SIGNAL, "trend"), (3, None, None)]
    schema.downgrade(empty_engine, BEFORE)
    assert not {"strategy_id", "reason"} & _columns(empty_engine, "orders")
    assert "ix_trades_signal_id" not in _indexes(empty_engine, "trades")
    assert "ix_trades_strategy_id" in _indexes(empty_engine, "trades")  # 0001's, kept
    schema.upgrade(empty_engine, AFTER)  # and up again
    assert "reason" in _columns(empty_engine, "orders")
