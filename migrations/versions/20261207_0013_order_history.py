"""Order lifecycle: ``order_status_history``, the CANCEL_REQUESTED status, text client order ids.

* ``order_status_history``: one row per change of an order's status (docs/orders.md,
  "History"). Orders stored before have no rows: their history starts at their next change.
* ``orders.status`` may be ``CANCEL_REQUESTED`` (a cancel sent, not confirmed yet).
* ``orders.client_order_id`` becomes text, ``VARCHAR(36)``, as Kraken takes ``cl_ord_id``;
  every stored UUID becomes its canonical text (``0e8f...-...``, lower case, with hyphens),
  which is what ``str(uuid)`` gives, so an id the bot kept as a UUID still finds its order.

On PostgreSQL: ``ALTER COLUMN ... TYPE ... USING client_order_id::text`` and the CHECK
dropped and created again. On SQLite ``orders`` cannot be copied by a batch rebuild
(fills, trades and the history reference it, and SQLite cannot drop a referenced table
with its foreign keys on, nor turn them off inside the migration's transaction), so the
table's stored definition is edited in place, SQLite's documented procedure for changes
that leave the stored rows valid (``PRAGMA writable_schema``, then ``schema_version``
moved on): the declared type ``CHAR(32)`` becomes ``VARCHAR(36)`` (both text affinity) and
the status CHECK allows one more value. The ids are then rewritten in Python, from the 32
hex digits SQLAlchemy stored to the canonical text.

The downgrade refuses, naming a few, while an order has a client order id that is not the
canonical text of a UUID or is CANCEL_REQUESTED: the older schema cannot hold them. Otherwise
it drops the history and gives the ids and the CHECK back their old form.

Revision ID: 0013_order_history
Revises: 0012_events_and_payloads
Create Date: 2026-12-07 09:00:00
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_order_history"
down_revision: str | None = "0012_events_and_payloads"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID_LENGTH = 36
_OLD_STATUSES = (
    "PENDING_SUBMIT",
    "OPEN",
    "PARTIALLY_FILLED",
    "FILLED",
    "CANCELLED",
    "REJECTED",
    "EXPIRED",
)
#: The statuses at this revision, in the order the model lists them.
_STATUSES = (
    "PENDING_SUBMIT",
    "OPEN",
    "PARTIALLY_FILLED",
    "CANCEL_REQUESTED",
    "FILLED",
    "CANCELLED",
    "REJECTED",
    "EXPIRED",
)
_BATCH = 1000

_orders = sa.table(
    "orders",
    sa.column("order_pk", sa.Integer()),
    sa.column("client_order_id", sa.String()),
    sa.column("status", sa.String()),
)


def _status_check(statuses: Sequence[str], column: str = "status") -> str:
    return f"{column} IN (" + ", ".join(f"'{s}'" for s in statuses) + ")"


def _money() -> sa.types.TypeEngine[object]:
    return sa.Numeric(precision=38, scale=18).with_variant(sa.String(length=48), "sqlite")


def _create_history() -> None:
    op.create_table(
        "order_status_history",
        sa.Column(
            "history_pk",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("order_pk", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("from_status", sa.String(length=32), nullable=True),
        sa.Column("to_status", sa.String(length=32), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("filled_quantity", _money(), nullable=False),
        sa.CheckConstraint(
            _status_check(_STATUSES, "from_status"),
            name=op.f("ck_order_status_history_from_status_valid"),
        ),
        sa.CheckConstraint(
            _status_check(_STATUSES, "to_status"),
            name=op.f("ck_order_status_history_to_status_valid"),
        ),
        sa.CheckConstraint(
            "CAST(filled_quantity AS NUMERIC) >= 0",
            name=op.f("ck_order_status_history_filled_quantity_not_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["order_pk"],
            ["orders.order_pk"],
            name=op.f("fk_order_status_history_order_pk_orders"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("history_pk", name=op.f("pk_order_status_history")),
    )
    op.create_index(
        "ix_order_status_history_order_pk_history_pk",
        "order_status_history",
        ["order_pk", "history_pk"],
        unique=False,
    )


def _rewrite_sqlite_definition(replacements: Sequence[tuple[str, str]]) -> None:
    """Edit the stored ``CREATE TABLE orders`` (module docstring): each old fragment must be
    there exactly once; the stored rows stay valid under the new definition."""
    bind = op.get_bind()
    sql = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'orders'"
    ).scalar_one()
    for old, new in replacements:
        if sql.count(old) != 1:
            raise RuntimeError(
                f"revision {revision}: the definition of orders does not hold {old!r} once; "
                "it was changed outside the migrations"
            )
        sql = sql.replace(old, new)
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar_one()
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    try:
        bind.exec_driver_sql(
            "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'orders'", (sql,)
        )
        bind.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")  # SQL from an int
    finally:
        bind.exec_driver_sql("PRAGMA writable_schema = OFF")


def _rewrite_ids(convert: Callable[[str], str]) -> None:
    """Give every stored client order id ``convert(id)`` where that differs, in batches."""
    bind = op.get_bind()
    update = (
        _orders.update()
        .where(_orders.c.order_pk == sa.bindparam("b_pk"))
        .values(client_order_id=sa.bindparam("b_id"))
    )
    rows = bind.execute(sa.select(_orders.c.order_pk, _orders.c.client_order_id)).all()
    changed = [
        {"b_pk": pk, "b_id": convert(value)} for pk, value in rows if convert(value) != value
    ]
    for start in range(0, len(changed), _BATCH):
        bind.execute(update, changed[start : start + _BATCH])


def _canonical(value: str) -> str:
    """The canonical text of a stored UUID (32 hex digits on SQLite, or already canonical)."""
    return str(uuid.UUID(value))


def _hex(value: str) -> str:
    """What SQLAlchemy's ``Uuid`` stores on SQLite: the 32 hex digits."""
    return uuid.UUID(value).hex


def upgrade() -> None:
    """Add the history table, the status and the text ids (module docstring)."""
    _create_history()
    if op.get_bind().dialect.name == "sqlite":
        _rewrite_sqlite_definition(
            [
                (
                    "client_order_id CHAR(32) NOT NULL",
                    f"client_order_id VARCHAR({ID_LENGTH}) NOT NULL",
                ),
                (_status_check(_OLD_STATUSES), _status_check(_STATUSES)),
            ]
        )
        _rewrite_ids(_canonical)
        return
    op.alter_column(
        "orders",
        "client_order_id",
        existing_type=sa.Uuid(),
        type_=sa.String(length=ID_LENGTH),
        existing_nullable=False,
        postgresql_using="client_order_id::text",
    )
    op.drop_constraint(op.f("ck_orders_status_valid"), "orders", type_="check")
    op.create_check_constraint(op.f("ck_orders_status_valid"), "orders", _status_check(_STATUSES))


def _refuse_what_the_old_schema_cannot_hold() -> None:
    bind = op.get_bind()
    cancel_requested = (
        bind.execute(
            sa.select(_orders.c.client_order_id)
            .where(_orders.c.status == "CANCEL_REQUESTED")
            .limit(5)
        )
        .scalars()
        .all()
    )
    if cancel_requested:
        raise RuntimeError(
            f"cannot downgrade below {revision}: orders are CANCEL_REQUESTED (e.g. "
            f"{', '.join(cancel_requested)}), a status the older schema does not have; "
            "record how their cancels ended first"
        )
    not_uuids: list[str] = []
    for (value,) in bind.execute(sa.select(_orders.c.client_order_id)):
        try:
            canonical = str(uuid.UUID(value))
        except ValueError:
            canonical = None
        if canonical != value:
            not_uuids.append(value)
            if len(not_uuids) == 5:
                break
    if not_uuids:
        raise RuntimeError(
            f"cannot downgrade below {revision}: orders have client order ids that are not "
            f"UUIDs in canonical text (e.g. {', '.join(map(repr, not_uuids))}); the older "
            "schema stores UUIDs only"
        )


def downgrade() -> None:
    """Refuse what the older schema cannot hold; else drop the history, ids back to UUIDs."""
    _refuse_what_the_old_schema_cannot_hold()
    op.drop_index("ix_order_status_history_order_pk_history_pk", table_name="order_status_history")
    op.drop_table("order_status_history")
    if op.get_bind().dialect.name == "sqlite":
        _rewrite_ids(_hex)
        _rewrite_sqlite_definition(
            [
                (
                    f"client_order_id VARCHAR({ID_LENGTH}) NOT NULL",
                    "client_order_id CHAR(32) NOT NULL",
                ),
                (_status_check(_STATUSES), _status_check(_OLD_STATUSES)),
            ]
        )
        return
    op.drop_constraint(op.f("ck_orders_status_valid"), "orders", type_="check")
    op.create_check_constraint(
        op.f("ck_orders_status_valid"), "orders", _status_check(_OLD_STATUSES)
    )
    op.alter_column(
        "orders",
        "client_order_id",
        existing_type=sa.String(length=ID_LENGTH),
        type_=sa.Uuid(),
        existing_nullable=False,
        postgresql_using="client_order_id::uuid",
    )
