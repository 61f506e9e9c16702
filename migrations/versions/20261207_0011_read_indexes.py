"""Indexes of the read models (docs/reads.md): paged history, positions and risk figures.

Paged history reads one index range per page, ordered by ``(time, key)``: fills by
``(trading_pair, filled_at, fill_pk)`` and ``(filled_at, fill_pk)``, orders by
``(trading_pair, created_at, order_pk)`` and ``(created_at, order_pk)``, trades by
``(trading_pair, entry_timestamp, trade_pk)`` and ``(entry_timestamp, trade_pk)``.
Risk figures read closed trades by ``(exit_timestamp, trade_pk)``, which replaces the
index on ``exit_timestamp`` alone (its prefix). Balances find the few fills with a
commission in a second asset through a partial index (``ix_fills_extra_commissions``). No data changes; the downgrade drops the
new indexes and restores ``ix_trades_exit_timestamp``.

Revision ID: 0011_read_indexes
Revises: 0010_live_trade_figures
Create Date: 2026-12-07 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_read_indexes"
down_revision: str | None = "0010_live_trade_figures"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The fills with a commission in a second asset (as in persistence/tables/definitions.py).
HAS_EXTRA_COMMISSIONS = {
    "postgresql": "extra_commissions <> '{}'::jsonb",
    "sqlite": "extra_commissions <> '{}'",
}
#: ``(table, index name, columns)`` this revision creates.
INDEXES = [
    ("fills", "ix_fills_trading_pair_filled_at_fill_pk", ["trading_pair", "filled_at", "fill_pk"]),
    ("fills", "ix_fills_filled_at_fill_pk", ["filled_at", "fill_pk"]),
    (
        "orders",
        "ix_orders_trading_pair_created_at_order_pk",
        ["trading_pair", "created_at", "order_pk"],
    ),
    ("orders", "ix_orders_created_at_order_pk", ["created_at", "order_pk"]),
    (
        "trades",
        "ix_trades_trading_pair_entry_timestamp_trade_pk",
        ["trading_pair", "entry_timestamp", "trade_pk"],
    ),
    ("trades", "ix_trades_entry_timestamp_trade_pk", ["entry_timestamp", "trade_pk"]),
    ("trades", "ix_trades_exit_timestamp_trade_pk", ["exit_timestamp", "trade_pk"]),
]


def upgrade() -> None:
    """Create the read indexes; the exit-time index gains the key."""
    for table, name, columns in INDEXES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(name, columns, unique=False)
    with op.batch_alter_table("fills", schema=None) as batch_op:
        batch_op.create_index(
            "ix_fills_extra_commissions",
            ["fill_pk"],
            unique=False,
            postgresql_where=sa.text(HAS_EXTRA_COMMISSIONS["postgresql"]),
            sqlite_where=sa.text(HAS_EXTRA_COMMISSIONS["sqlite"]),
        )
    with op.batch_alter_table("trades", schema=None) as batch_op:
        batch_op.drop_index("ix_trades_exit_timestamp")


def downgrade() -> None:
    """Drop the read indexes; restore the index on ``trades.exit_timestamp``."""
    with op.batch_alter_table("trades", schema=None) as batch_op:
        batch_op.create_index("ix_trades_exit_timestamp", ["exit_timestamp"], unique=False)
    with op.batch_alter_table("fills", schema=None) as batch_op:
        batch_op.drop_index("ix_fills_extra_commissions")
    for table, name, _ in reversed(INDEXES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(name)
