"""Trade attribution: an order's strategy and reason; trades read by signal (docs/attribution.md).

Adds ``orders.strategy_id`` and ``orders.reason`` (text, at most 128 characters) and the
indexes ``ix_orders_strategy_id`` and ``ix_trades_signal_id`` (``orders.signal_id`` and
``trades.strategy_id`` are indexed since 0001). Data: an order with a signal takes its
signal's strategy, and every stored trade takes the signal and strategy of its entry order
(what a rebuild would now write; exit reasons stay empty: no order had one before). The
downgrade drops the two columns and the two indexes; the trades keep their values.

Revision ID: 0009_trade_attribution
Revises: 0008_ledger_kinds
Create Date: 2026-12-07 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_trade_attribution"
down_revision: str | None = "0008_ledger_kinds"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The length of an external id (``persistence.tables.definitions.EXTERNAL_ID``).
EXTERNAL_ID = 128

_ORDER_STRATEGY = """
UPDATE orders SET strategy_id = (
    SELECT signals.strategy_id FROM signals WHERE signals.signal_id = orders.signal_id
)
WHERE signal_id IS NOT NULL AND strategy_id IS NULL
"""

_TRADE_ATTRIBUTION = """
UPDATE trades SET
    signal_id = (SELECT o.signal_id FROM orders o WHERE o.order_pk = trades.entry_order_pk),
    strategy_id = (SELECT o.strategy_id FROM orders o WHERE o.order_pk = trades.entry_order_pk)
WHERE entry_order_pk IN (
    SELECT order_pk FROM orders WHERE signal_id IS NOT NULL OR strategy_id IS NOT NULL
)
"""


def upgrade() -> None:
    # ALTER TABLE ... ADD COLUMN on both backends: batch mode would copy ``orders``, which
    # fills and trades reference (SQLite cannot drop a referenced table with its foreign
    # keys on); plain columns need no copy (SQLite >= 3.35 also drops them in place).
    op.add_column("orders", sa.Column("strategy_id", sa.String(length=EXTERNAL_ID), nullable=True))
    op.add_column("orders", sa.Column("reason", sa.String(length=EXTERNAL_ID), nullable=True))
    op.create_index("ix_orders_strategy_id", "orders", ["strategy_id"], unique=False)
    op.create_index("ix_trades_signal_id", "trades", ["signal_id"], unique=False)
    op.execute(sa.text(_ORDER_STRATEGY))
    op.execute(sa.text(_TRADE_ATTRIBUTION))


def downgrade() -> None:
    op.drop_index("ix_trades_signal_id", table_name="trades")
    op.drop_index("ix_orders_strategy_id", table_name="orders")
    op.drop_column("orders", "reason")
    op.drop_column("orders", "strategy_id")
