"""Ledger entries: an exchange's ledger export, one row per movement of one asset.

A row without a txid is pending (docs/ledgers.md); NULL txids never collide in
uq_ledger_entries_exchange_txid on either backend. The down revision is the
initial schema for now; the lead chains it after the other new revisions at merge.

Revision ID: 0004_ledger_entries
Revises: 0003_order_aggregates
Create Date: 2026-11-26 04:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_ledger_entries"
down_revision: str | None = "0003_order_aggregates"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _money(name: str, nullable: bool) -> sa.Column:
    return sa.Column(
        name,
        sa.Numeric(precision=38, scale=18).with_variant(sa.String(length=48), "sqlite"),
        nullable=nullable,
    )


def upgrade() -> None:
    op.create_table(
        "ledger_entries",
        sa.Column(
            "entry_pk",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("exchange", sa.String(length=64), nullable=False),
        sa.Column("txid", sa.String(length=128), nullable=True),
        sa.Column("refid", sa.String(length=128), nullable=False),
        sa.Column("time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("subtype", sa.String(length=32), nullable=True),
        sa.Column("aclass", sa.String(length=32), nullable=True),
        sa.Column("subclass", sa.String(length=32), nullable=True),
        sa.Column("asset", sa.String(length=16), nullable=False),
        sa.Column("wallet", sa.String(length=64), nullable=True),
        _money("amount", False),
        _money("fee", False),
        _money("balance", True),
        _money("amountusd", True),
        sa.Column("source_line", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "CAST(fee AS NUMERIC) >= 0", name=op.f("ck_ledger_entries_fee_not_negative")
        ),
        sa.PrimaryKeyConstraint("entry_pk", name=op.f("pk_ledger_entries")),
        sa.UniqueConstraint("exchange", "txid", name=op.f("uq_ledger_entries_exchange_txid")),
    )
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_ledger_entries_exchange_asset_time", ["exchange", "asset", "time"], unique=False
        )
        batch_op.create_index(
            "ix_ledger_entries_exchange_refid", ["exchange", "refid"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_ledger_entries_exchange_refid")
        batch_op.drop_index("ix_ledger_entries_exchange_asset_time")

    op.drop_table("ledger_entries")
