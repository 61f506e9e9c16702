"""Repair the order aggregates that a ledger's fee corrections left behind their fills.

Until the Order aggregate owned its fills' corrections, reconciling with a ledger
(docs/ledgers.md) changed a fill's commission without its order: after a trades.csv
import and then the account's ledgers.csv, the order row kept the trades.csv fee
(``{"BTC": "0.000030341"}`` while its fill said 15.559 DOGE). Every order with fills
gets the aggregates of its fills again: ``filled_quantity``, ``fill_notional``,
``average_fill_price`` (the exact VWAP rounded half-even to 18 places) and
``commissions``, computed in Python, exactly, as revision 0003 did (SQLite stores money
as text). Only rows whose figures differ are written; orders without fills are left
alone. Nothing to undo on downgrade.

Revision ID: 0006_order_aggregates_repair
Revises: 0005_candles
Create Date: 2026-11-27 09:00:00
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from decimal import ROUND_HALF_EVEN, Context, Decimal

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0006_order_aggregates_repair"
down_revision: str | None = "0005_candles"
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
    sa.column("filled_quantity", sa.String()),
    sa.column("fill_notional", sa.String()),
    sa.column("average_fill_price", sa.String()),
    sa.column("commissions", sa.String()),
)

#: Wide enough that sums of products of NUMERIC(38, 18) values stay exact.
_EXACT = Context(prec=200)
#: The domain's division for the VWAP (domain/values.py: 80 digits, half-even), then 18 places.
_DIVIDE = Context(prec=80, rounding=ROUND_HALF_EVEN)
_QUANTUM = Decimal(1).scaleb(-18)


def _tidy(amount: Decimal) -> str:
    """The plain decimal text of ``amount`` without trailing zeros (``100``, ``0.5``)."""
    text = format(amount, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text if text not in ("", "-0") else "0"


class _Totals:
    __slots__ = ("notional", "paid", "quantity")

    def __init__(self) -> None:
        self.quantity = Decimal(0)
        self.notional = Decimal(0)
        self.paid: dict[str, Decimal] = {}

    def add(self, quantity: str, price: str, commission: str, asset: str) -> None:
        amount = Decimal(quantity)
        self.quantity = _EXACT.add(self.quantity, amount)
        self.notional = _EXACT.add(self.notional, _EXACT.multiply(amount, Decimal(price)))
        self.paid[asset] = _EXACT.add(self.paid.get(asset, Decimal(0)), Decimal(commission))

    def average(self) -> Decimal | None:
        if not self.quantity:
            return None
        return _DIVIDE.quantize(_DIVIDE.divide(self.notional, self.quantity), _QUANTUM)


def _fill_totals(connection: sa.Connection) -> Iterator[tuple[int, _Totals]]:
    """Per order with fills, in key order: the exact totals of its fills."""
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
    totals = _Totals()
    for order_pk, quantity, price, commission, asset in rows:
        if order_pk != current:
            if current is not None:
                yield current, totals
            current, totals = order_pk, _Totals()
        totals.add(quantity, price, commission, asset)
    if current is not None:
        yield current, totals


def _stored(connection: sa.Connection, keys: Sequence[int]) -> dict[int, tuple[object, ...]]:
    """The stored aggregates of the orders ``keys``, as numbers (commissions as a mapping)."""
    rows = connection.execute(
        sa.select(
            _orders.c.order_pk,
            sa.cast(_orders.c.filled_quantity, sa.String()),
            sa.cast(_orders.c.fill_notional, sa.String()),
            sa.cast(_orders.c.average_fill_price, sa.String()),
            sa.cast(_orders.c.commissions, sa.String()),
        ).where(_orders.c.order_pk.in_(keys))
    )
    stored: dict[int, tuple[object, ...]] = {}
    for order_pk, quantity, notional, average, commissions in rows:
        paid = json.loads(commissions) if isinstance(commissions, str) else commissions
        stored[order_pk] = (
            Decimal(quantity),
            Decimal(notional),
            None if average is None else Decimal(average),
            {asset: Decimal(str(amount)) for asset, amount in (paid or {}).items()},
        )
    return stored


def _repairs(connection: sa.Connection) -> list[dict[str, object]]:
    """The rows to write: orders whose stored aggregates are not their fills' (compared a
    batch of orders at a time, so that memory holds one batch and the repairs)."""
    repairs: list[dict[str, object]] = []
    batch: list[tuple[int, _Totals]] = []

    def compare() -> None:
        stored = _stored(connection, [order_pk for order_pk, _ in batch])
        for order_pk, totals in batch:
            average = totals.average()
            if stored.get(order_pk) == (totals.quantity, totals.notional, average, totals.paid):
                continue
            repairs.append(
                {
                    "b_order_pk": order_pk,
                    "b_quantity": _tidy(totals.quantity),
                    "b_notional": _tidy(totals.notional),
                    "b_average": None if average is None else _tidy(average),
                    "b_commissions": json.dumps(
                        {asset: _tidy(amount) for asset, amount in totals.paid.items()}
                    ),
                }
            )
        batch.clear()

    for item in _fill_totals(connection):
        batch.append(item)
        if len(batch) >= _BATCH:
            compare()
    if batch:
        compare()
    return repairs


def upgrade() -> None:
    connection = op.get_bind()
    postgres = connection.dialect.name == "postgresql"

    def number(name: str) -> sa.ColumnElement[object]:
        value = sa.bindparam(name, type_=sa.String())
        return sa.cast(value, sa.Numeric()) if postgres else value

    commissions = sa.bindparam("b_commissions", type_=sa.String())
    update = (
        sa.update(_orders)
        .where(_orders.c.order_pk == sa.bindparam("b_order_pk"))
        .values(
            filled_quantity=number("b_quantity"),
            fill_notional=number("b_notional"),
            average_fill_price=number("b_average"),
            commissions=sa.cast(commissions, postgresql.JSONB()) if postgres else commissions,
        )
    )
    repairs = _repairs(connection)  # everything read before the first write
    for start in range(0, len(repairs), _BATCH):
        connection.execute(update, repairs[start : start + _BATCH])


def downgrade() -> None:
    """Nothing to undo: the repaired figures are the ones the fills always implied."""
