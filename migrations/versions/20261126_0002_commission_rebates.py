"""Commission rebates: a fill's commission and a trade's total commission may be negative.

A maker rebate is a negative fee (income); see docs/importing.md. Drops the CHECKs
``ck_fills_commission_not_negative`` and ``ck_trades_total_commission_not_negative``
(batch mode: SQLite copies the table without them). The downgrade puts them back
and fails while a rebate is stored.

Revision ID: 0002_rebates
Revises: 0001
Create Date: 2026-11-26 04:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0002_rebates"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: table -> (constraint name, column) of each check this revision drops.
CHECKS = {
    "fills": ("ck_fills_commission_not_negative", "commission"),
    "trades": ("ck_trades_total_commission_not_negative", "total_commission"),
}


def upgrade() -> None:
    for table, (name, _column) in CHECKS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(name), type_="check")


def downgrade() -> None:
    for table, (name, column) in CHECKS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_check_constraint(op.f(name), f"CAST({column} AS NUMERIC) >= 0")
