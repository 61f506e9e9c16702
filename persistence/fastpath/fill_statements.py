"""The live path in Core statements: lock an order, apply one fill to its aggregates, store it.

Recording a fill as the exchange reports it is the latency-critical write, and it
costs the same whatever the order's history: the order's fills are never read.
The order row carries what the rules need (``filled_quantity``, the exact
``fill_notional``, ``commissions`` per asset, ``version``), and the fill-id unique
constraint catches replays (docs/live-fills.md):

1. ``SELECT ... FROM orders ... FOR UPDATE`` (by client order id, else by
   exchange and exchange order id; SQLite serialises writers itself);
2. :meth:`gal_friday.domain.Order.apply_new_fill`, which enforces every rule but the replay
   check on the order's aggregates and changes nothing when it refuses;
3. ``INSERT ... ON CONFLICT (exchange, fill_id) DO NOTHING RETURNING fill_pk``:
   no row back means the id is stored already, and the stored fill (one indexed
   row) decides: the same data on this order is a replay (nothing written), other
   data a :class:`~gal_friday.domain.DuplicateFillError`, another order a
   :class:`~gal_friday.domain.FillConflictError`;
4. one ``UPDATE`` writing back the order's columns as the domain left them and
   moving ``version`` (``WHERE version =`` the version read: a mismatch is a
   :class:`~gal_friday.persistence.errors.ConcurrencyError`, as on the mapped path).

On PostgreSQL steps 3 and 4 are one statement (two data-modifying CTEs, the UPDATE
only when the INSERT stored a row): one round trip less on the hot path. With
synchronous psycopg, steps 1 and 3-4 go to the session's driver connection, compiled
once and prepared on the server (:mod:`gal_friday.persistence.fastpath.prepared`: the same
values, rows and errors as the Core statements, without their per-statement overhead).

A fill the domain refuses is looked up too (one indexed row): the replay of a fill
that completed the order must still answer "already recorded", not "overfill".

The objects it builds belong to no session: nothing is flushed for them later.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Insert, bindparam, exists, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

if TYPE_CHECKING:  # a SQLite process never loads psycopg (persistence/fastpath/prepared.py)
    import psycopg

from gal_friday.domain import DomainError, Fill, NotFoundError, Order
from gal_friday.domain.construction import assemble
from gal_friday.domain.fill_replay import OrderName, judge_repeated_fill
from gal_friday.persistence.errors import ConcurrencyError, translate_error
from gal_friday.persistence.fastpath.prepared import driver_of, prepared
from gal_friday.persistence.tables import definitions as t
from gal_friday.persistence.tables.fill_row import FILL_COLUMNS, fill_dict, fill_row

_LOCK_BY_CLIENT_ID = (
    select(t.orders)
    .where(t.orders.c.client_order_id == bindparam("b_client_order_id"))
    .with_for_update()
)
_LOCK_BY_EXCHANGE_ID = (
    select(t.orders)
    .where(
        t.orders.c.exchange == bindparam("b_exchange"),
        t.orders.c.exchange_order_id == bindparam("b_exchange_order_id"),
    )
    .with_for_update()
)
_STORED_FILL = select(t.fills).where(
    t.fills.c.exchange == bindparam("b_exchange"), t.fills.c.fill_id == bindparam("b_fill_id")
)
_ORDER_NAMES = select(t.orders.c.client_order_id, t.orders.c.exchange_order_id).where(
    t.orders.c.order_pk == bindparam("b_order_pk")
)


def _insert_if_new(dialect_insert: Any) -> Insert:
    statement = dialect_insert(t.fills).on_conflict_do_nothing(
        index_elements=[t.fills.c.exchange, t.fills.c.fill_id]
    )
    return statement.returning(t.fills.c.fill_pk)  # type: ignore[no-any-return]


#: The fill INSERT that lets the unique constraint catch a replay (no error, no row back).
_INSERT_FILL_IF_NEW = {
    "postgresql": _insert_if_new(postgresql.insert),
    "sqlite": _insert_if_new(sqlite.insert),
}
#: The order columns written back (everything but the key and the version).
_ORDER_COLUMNS = tuple(c.name for c in t.orders.columns if c.name not in ("order_pk", "version"))
#: The fill's bind parameter names in the combined PostgreSQL statement, in FILL_COLUMNS order.
_FILL_PARAMS = tuple(f"f_{name}" for name in FILL_COLUMNS)
#: Writes back every order column (one statement whatever changed, compiled once).
_UPDATE_ORDER = (
    update(t.orders)
    .where(
        t.orders.c.order_pk == bindparam("b_order_pk"),
        t.orders.c.version == bindparam("b_version"),
    )
    .values({name: bindparam(f"b_{name}") for name in _ORDER_COLUMNS})
    .values(version=bindparam("b_new_version"))
)


#: PostgreSQL: the fill INSERT and the versioned order UPDATE in one round trip. The UPDATE
#: runs only when the INSERT stored a row; both keys come back (NULL where nothing happened).
_INSERTED = (
    postgresql.insert(t.fills)
    .values(
        {
            name: bindparam(param, type_=t.fills.c[name].type)
            for name, param in zip(FILL_COLUMNS, _FILL_PARAMS, strict=True)
        }
    )
    .on_conflict_do_nothing(index_elements=[t.fills.c.exchange, t.fills.c.fill_id])
    .returning(t.fills.c.fill_pk)
    .cte("inserted")
)
_UPDATED = (
    update(t.orders)
    .where(
        t.orders.c.order_pk == bindparam("b_order_pk"),
        t.orders.c.version == bindparam("b_version"),
        exists(select(_INSERTED.c.fill_pk)),
    )
    .values({name: bindparam(f"b_{name}", type_=t.orders.c[name].type) for name in _ORDER_COLUMNS})
    .values(version=bindparam("b_new_version"))
    .returning(t.orders.c.order_pk)
    .cte("updated")
)
_INSERT_AND_UPDATE = select(
    select(_INSERTED.c.fill_pk).scalar_subquery(), select(_UPDATED.c.order_pk).scalar_subquery()
)


def _locked_row(
    conn: Connection,
    driver: psycopg.Connection[Any] | None,
    fill: Fill,
    client_order_id: uuid.UUID | None,
) -> dict[str, Any] | None:
    params: dict[str, Any]
    if client_order_id is not None:
        statement, params = _LOCK_BY_CLIENT_ID, {"b_client_order_id": client_order_id}
    elif fill.exchange_order_id is None:
        return None
    else:
        statement = _LOCK_BY_EXCHANGE_ID
        params = {"b_exchange": fill.exchange, "b_exchange_order_id": fill.exchange_order_id}
    if driver is None:
        row = conn.execute(statement, params).one_or_none()
        return None if row is None else row._asdict()
    lock = prepared(statement, conn.dialect)
    values = lock.one_or_none(conn, driver, params)
    return None if values is None else dict(zip(lock.names, values, strict=True))


def _load(
    conn: Connection,
    driver: psycopg.Connection[Any] | None,
    fill: Fill,
    client_order_id: uuid.UUID | None,
) -> tuple[Order, int]:
    """The locked order, without its fills, and the version read.

    A plain domain object (:func:`~gal_friday.domain.construction.assemble`): no session
    ever sees it, its changes are written by the statements below.
    """
    values = _locked_row(conn, driver, fill, client_order_id)
    if values is None:
        key = client_order_id or fill.exchange_order_id
        raise NotFoundError(f"no stored order {key!s} for fill {fill.fill_id!r}")
    version = values.pop("version")
    values["fills"] = []  # never read: the aggregates on the row are what the rules use
    return assemble(Order, values), version


def store_live_fill(session: Session, fill: Fill, client_order_id: uuid.UUID | None = None) -> bool:
    """Apply ``fill`` to its locked order and write both; False for an identical replay.

    ``fill`` is changed (its order's keys are set on it: pass a copy to keep yours).
    Raises :class:`~gal_friday.domain.NotFoundError` for an unknown order, the domain's errors
    for a refused fill (nothing written), :class:`~gal_friday.domain.DuplicateFillError` for
    an id stored with other data, :class:`~gal_friday.domain.FillConflictError` for an id
    stored on another order, and database errors translated as the unit of work
    translates them (a lock conflict is a ConcurrencyError).
    """
    try:
        return _apply(session.connection(), fill, client_order_id)
    except DBAPIError as exc:
        translated = translate_error(exc)
        if translated is exc:
            raise
        raise translated from exc


def _apply(conn: Connection, fill: Fill, client_order_id: uuid.UUID | None) -> bool:
    # Synchronous psycopg takes the hot statements directly (persistence/fastpath/
    # prepared.py: Core's per-statement overhead is a third of this path); SQLite and
    # asyncio stay on Core.
    driver = driver_of(conn)
    order, version = _load(conn, driver, fill, client_order_id)
    name = OrderName(order.client_order_id, order.exchange_order_id)  # as stored, before the fill
    try:
        order.apply_new_fill(fill)
    except DomainError:
        stored = _stored_fill(conn, fill)
        if stored is None:
            raise
        return _replayed(conn, stored, fill, order.order_pk, name)
    fill.order_pk = order.order_pk
    order_values = {
        **{f"b_{name}": getattr(order, name) for name in _ORDER_COLUMNS},
        "b_order_pk": order.order_pk,
        "b_version": version,
        "b_new_version": version + 1,
    }
    if conn.dialect.name == "postgresql":
        both = dict(zip(_FILL_PARAMS, fill_row(fill), strict=True))
        both.update(order_values)
        if driver is None:
            fill_pk, updated = conn.execute(_INSERT_AND_UPDATE, both).one()
        else:
            keys = prepared(_INSERT_AND_UPDATE, conn.dialect).one_or_none(conn, driver, both)
            assert keys is not None, "the statement returns one row"
            fill_pk, updated = keys
    else:
        inserted = conn.execute(
            _INSERT_FILL_IF_NEW[conn.dialect.name],
            fill_dict(fill),
        ).first()
        fill_pk = None if inserted is None else inserted[0]
        updated = None
        if fill_pk is not None:
            updated = conn.execute(_UPDATE_ORDER, order_values).rowcount == 1 or None
    if fill_pk is None:
        stored = _stored_fill(conn, fill)
        assert stored is not None, "the insert met a conflict, so the fill is stored"
        return _replayed(conn, stored, fill, order.order_pk, name)
    fill.fill_pk = fill_pk
    if updated is None:
        raise ConcurrencyError(
            f"order {order.client_order_id} changed under its lock; nothing was committed, retry"
        )
    return True


def _stored_fill(conn: Connection, fill: Fill) -> Fill | None:
    row = conn.execute(
        _STORED_FILL, {"b_exchange": fill.exchange, "b_fill_id": fill.fill_id}
    ).one_or_none()
    if row is None:
        return None
    return assemble(Fill, row._asdict())  # only compared, never added to a session


def _replayed(
    conn: Connection, stored: Fill, fill: Fill, order_pk: int | None, name: OrderName
) -> bool:
    """The domain's verdict on ``fill`` sent again to order ``name`` (key ``order_pk``)."""
    stored_on = name
    if stored.order_pk != order_pk:  # the other order's names: one indexed row, only then
        stored_on = OrderName(*conn.execute(_ORDER_NAMES, {"b_order_pk": stored.order_pk}).one())
    return judge_repeated_fill(fill, stored, sent_to=name, stored_on=stored_on)
