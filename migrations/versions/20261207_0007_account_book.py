"""The account book on fills: commissions in several assets, the fill's kind, the
trades.csv figures the ledger replaced (docs/ledgers.md).

Adds to ``fills``:

* ``extra_commissions``: commissions paid in other assets than ``commission_asset``
  (a Kraken trade charged on both legs), JSON object of decimal strings, default ``{}``;
* ``kind``: ``TRADE``, ``CONVERSION`` (an instant buy or sell built from ledger rows)
  or ``MARGIN`` (a margin execution, its pair marked ``BASE.MARGIN/QUOTE``), default
  ``TRADE``, with the check ``ck_fills_kind_valid``;
* ``reported``: the trades.csv ``fill_price`` and ``commission`` the ledger replaced,
  default ``{}``.

Existing fills are order book trades with one commission: the defaults are theirs, and no
order's aggregates change. The downgrade drops the columns; it refuses while a fill holds
an extra commission (dropping it would leave its order's ``commissions`` disagreeing with
its fills) or a conversion or margin fill is stored (the older schema cannot say so).

Revision ID: 0007_account_book
Revises: 0006_order_aggregates_repair
Create Date: 2026-12-07 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007_account_book"
down_revision: str | None = "0006_order_aggregates_repair"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_KINDS = ("TRADE", "CONVERSION", "MARGIN")


def _json() -> sa.types.TypeEngine[object]:
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    # nothing references fills: a batch rebuild on SQLite is safe (the CHECK needs it)
    with op.batch_alter_table("fills", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("extra_commissions", _json(), server_default=sa.text("'{}'"), nullable=False)
        )
        batch_op.add_column(
            sa.Column("kind", sa.String(length=32), server_default="TRADE", nullable=False)
        )
        batch_op.add_column(
            sa.Column("reported", _json(), server_default=sa.text("'{}'"), nullable=False)
        )
        batch_op.create_check_constraint(
            op.f("ck_fills_kind_valid"),
            "kind IN (" + ", ".join(f"'{kind}'" for kind in _KINDS) + ")",
        )


def downgrade() -> None:
    connection = op.get_bind()
    fills = sa.table(
        "fills",
        sa.column("fill_id", sa.String()),
        sa.column("kind", sa.String()),
        sa.column("extra_commissions", sa.String()),
    )
    extra = sa.cast(fills.c.extra_commissions, sa.String())
    blocking = connection.execute(
        sa.select(fills.c.fill_id, fills.c.kind)
        .where(sa.or_(fills.c.kind != "TRADE", sa.func.replace(extra, " ", "") != "{}"))
        .limit(5)
    ).all()
    if blocking:
        listed = ", ".join(f"{fill_id} ({kind})" for fill_id, kind in blocking)
        raise RuntimeError(
            "cannot downgrade below 0007_account_book: fills with commissions in several "
            f"assets, conversions or margin fills are stored (e.g. {listed}); the older "
            "schema cannot hold them"
        )
    with op.batch_alter_table("fills", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_fills_kind_valid"), type_="check")
        batch_op.drop_column("reported")
        batch_op.drop_column("kind")
        batch_op.drop_column("extra_commissions")
