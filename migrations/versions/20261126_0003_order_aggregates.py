"""Order aggregates: the exact fill notional and the commissions per asset on the order row.

With them (and ``filled_quantity``, ``average_fill_price``, ``version``) a live fill is
applied without reading the order's fills (docs/live-fills.md). Existing orders are
backfilled from their fills in Python, exactly (SQLite stores money as text: SQL
arithmetic there would go through floats).

Revision ID: 0003_order_aggregates
Revises: 0002_rebates
Create Date: 2026-11-26 04:20:00
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from decimal import Context, Decimal

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003_order_aggregates"
# The lead chains this after 0002_rebates when the branches are merged.
down_revision: str | None = "0002_rebates"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BATCH = 5000
_fills = sa.table(
    "fills",
    sa.column("order_pk", sa.BigInteger()),
    sa.column("quantity_filled", sa.String()),
    sa.column("fill_price", sa.String()),
    sa.column("commission", sa.String()),
    sa.column("commission_asset", sa.String()),
)
_orders = sa.table(
    "orders",
    sa.column("order_pk", sa.BigInteger()),
    sa.column("fill_notional", sa.String()),
    sa.column("commissions", sa.String()),
)


#: Wide enough that sums of products of NUMERIC(38, 18) values stay exact.
_EXACT = Context(prec=200)


def _tidy(amount: Decimal) -> str:
    """The plain decimal text of ``amount`` without trailing zeros (``100``, ``0.5``)."""
    text = format(amount, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text if text not in ("", "-0") else "0"


def _aggregates(connection: sa.Connection) -> Iterator[dict[str, object]]:
    """Per order: the exact notional and commissions of its fills (fills read in key order)."""
    rows = connection.execute(
        sa.select(
            _fills.c.order_pk,
            sa.cast(_fills.c.quantity_filled, sa.String()),
            sa.cast(_fills.c.fill_price, sa.String()),
            sa.cast(_fills.c.commission, sa.String()),
            _fills.c.commission_asset,
        )
        .order_by(_fills.c.order_pk)
        .execution_options(yield_per=_BATCH)
    )
    current: int | None = None
    notional = Decimal(0)
    paid: dict[str, Decimal] = {}
    for order_pk, quantity, price, commission, asset in rows:
        if order_pk != current:
            if current is not None:
                yield _row(current, notional, paid)
            current, notional, paid = order_pk, Decimal(0), {}
        notional = _EXACT.add(notional, _EXACT.multiply(Decimal(quantity), Decimal(price)))
        paid[asset] = _EXACT.add(paid.get(asset, Decimal(0)), Decimal(commission))
    if current is not None:
        yield _row(current, notional, paid)


def _row(order_pk: int, notional: Decimal, paid: dict[str, Decimal]) -> dict[str, object]:
    return {
        "b_order_pk": order_pk,
        "b_notional": _tidy(notional),
        "b_commissions": json.dumps({asset: _tidy(amount) for asset, amount in paid.items()}),
    }


def upgrade() -> None:
    # ALTER TABLE ... ADD COLUMN on both backends: a batch rebuild of orders on SQLite would
    # drop a table that fills and trades reference.
    op.add_column(
        "orders",
        sa.Column(
            "fill_notional",
            sa.Numeric().with_variant(sa.String(), "sqlite"),
            server_default=sa.text("'0'"),
            nullable=False,
        ),
    )
    op.add_column(
        "orders",
        sa.Column(
            "commissions",
            sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
            server_default=sa.text("'{}'"),
            nullable=False,
        ),
    )
    connection = op.get_bind()
    postgres = connection.dialect.name == "postgresql"
    notional = sa.bindparam("b_notional", type_=sa.String())
    commissions = sa.bindparam("b_commissions", type_=sa.String())
    update = (
        sa.update(_orders)
        .where(_orders.c.order_pk == sa.bindparam("b_order_pk"))
        .values(
            fill_notional=sa.cast(notional, sa.Numeric()) if postgres else notional,
            commissions=sa.cast(commissions, postgresql.JSONB()) if postgres else commissions,
        )
    )
    batch: list[dict[str, object]] = []
    for row in _aggregates(connection):
        batch.append(row)
        if len(batch) >= _BATCH:
            connection.execute(update, batch)
            batch = []
    if batch:
        connection.execute(update, batch)


def downgrade() -> None:
    # ALTER TABLE ... DROP COLUMN on both backends (SQLite >= 3.35), as above.
    op.drop_column("orders", "commissions")
    op.drop_column("orders", "fill_notional")
