"""Live trade figures: what the live path needs to update a pair's trades in constant time.

Two tables of derived data (docs/live-fills.md, "Incremental update (the usual case)"):

* ``trade_cursors``: per pair, the grouping and the last fill its trades include
  (time, id and key), and the next sequence number of a running figures row;
* ``trade_running_figures``: the exact running figures (decimal strings, never rounded)
  of each running trade: the open flat-to-flat cycle (seq 0) or each open FIFO/LIFO lot
  (seq 1, 2, ... in opening order), with the stored trade row they belong to.

Both start empty: a pair without a cursor is refreshed from its last flat point by its
next live fill, which writes them. The downgrade drops them (nothing else refers to them).

Revision ID: 0010_live_trade_figures
Revises: 0009_trade_attribution
Create Date: 2026-12-07 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_live_trade_figures"
down_revision: str | None = "0009_trade_attribution"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "trade_cursors",
        sa.Column("exchange", sa.String(length=64), nullable=False),
        sa.Column("trading_pair", sa.String(length=32), nullable=False),
        sa.Column("grouping", sa.String(length=32), nullable=False),
        sa.Column("last_filled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_fill_id", sa.String(length=128), nullable=False),
        sa.Column("last_fill_pk", sa.BigInteger(), nullable=False),
        sa.Column("next_seq", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "grouping IN ('FLAT_TO_FLAT', 'FIFO', 'LIFO')",
            name=op.f("ck_trade_cursors_grouping_valid"),
        ),
        sa.PrimaryKeyConstraint("exchange", "trading_pair", name=op.f("pk_trade_cursors")),
    )
    op.create_table(
        "trade_running_figures",
        sa.Column("exchange", sa.String(length=64), nullable=False),
        sa.Column("trading_pair", sa.String(length=32), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("trade_id", sa.Uuid(), nullable=False),
        sa.Column("figures", sa.Text(), nullable=False),
        sa.Column("row_check", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint(
            "exchange", "trading_pair", "seq", name=op.f("pk_trade_running_figures")
        ),
    )


def downgrade() -> None:
    op.drop_table("trade_running_figures")
    op.drop_table("trade_cursors")
