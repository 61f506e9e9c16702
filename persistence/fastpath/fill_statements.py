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
   :class:`~gal_friday.persistence.errors.ConcurrencyError`, as on the mapped path);
5. when the fill changed the order's status (its first fill, its last), the
   ``order_status_history`` row of that change (docs/orders.md, "History").

On PostgreSQL steps 3 to 5 are one statement (data-modifying CTEs, the UPDATE only when
the INSERT stored a row, the history row only when the UPDATE ran): one round trip on
the hot path whether the status changes or not. With
synchronous psycopg, steps 1 and 3-5 go to the session's driver connection, compiled
once and prepared on the server (:mod:`gal_friday.persistence.fastpath.prepared`: the same
values, rows and errors as the Core statements, without their per-statement overhead).

A fill the domain refuses is looked up too (one indexed row): the replay of a fill
that completed the order must still answer "already recorded", not "overfill".

The objects it builds belong to no session: nothing is flushed for them later.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Insert, bindparam, exists, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

if TYPE_CHECKING:  # a SQLite process never loads psycopg (persistence/fastpath/prepared.py)
    import psycopg

from gal_friday.domain import DomainError, Fill, NotFoundError, Order
from gal_friday.domain import client_order_ids as ids
from gal_friday.domain.construction import assemble
from gal_friday.domain.fill_replay import OrderName, judge_repeated_fill
from gal_friday.domain.invariants import InvariantError
from gal_friday.domain.order_history import take_changes
from gal_friday.persistence.errors import ConcurrencyError, translate_error
from gal_friday.persistence.fastpath import live_trades
from gal_friday.persistence.fastpath.prepared import driver_of, prepared
from gal_friday.persistence.tables import definitions as t
from gal_friday.persistence.tables import status_history
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
#: The status history row a fill that changes its order's status adds (docs/orders.md).
_HISTORY_PARAMS = {
    name: f"h_{name}"
    for name in ("order_pk", "from_status", "to_status", "changed_at", "reason", "filled_quantity")
}
_h = t.order_status_history.c
#: PostgreSQL, for such a fill: the same two CTEs and a third inserting the history row when
#: the UPDATE ran; still one round trip.
_NOTED = (
    insert(t.order_status_history)
    .from_select(
        list(_HISTORY_PARAMS),
        select(
            *(
                bindparam(param, type_=_h[name].type).label(name)
                for name, param in _HISTORY_PARAMS.items()
            )
        ).where(exists(select(_UPDATED.c.order_pk))),
    )
    .returning(_h.history_pk)
    .cte("noted")
)
_INSERT_UPDATE_AND_NOTE = select(
    select(_INSERTED.c.fill_pk).scalar_subquery(),
    select(_UPDATED.c.order_pk).scalar_subquery(),
    select(_NOTED.c.history_pk).scalar_subquery(),
)


def _locked_row(
    conn: Connection,
    driver: psycopg.Connection[Any] | None,
    fill: Fill,
    client_order_id: str | None,
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
    client_order_id: str | None,
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


def store_live_fill(
    session: Session, fill: Fill, client_order_id: str | uuid.UUID | None = None
) -> bool:
    """Apply ``fill`` to its locked order and write both; False for an identical replay.

    A fill that changes the order's status writes one ``order_status_history`` row too
    (docs/orders.md, "History"); one that leaves it as it was writes none.

    ``fill`` is changed (its order's keys are set on it: pass a copy to keep yours).
    Raises :class:`~gal_friday.domain.NotFoundError` for an unknown order, the domain's errors
    for a refused fill (nothing written), :class:`~gal_friday.domain.DuplicateFillError` for
    an id stored with other data, :class:`~gal_friday.domain.FillConflictError` for an id
    stored on another order, and database errors translated as the unit of work
    translates them (a lock conflict is a ConcurrencyError).

    The pair's trades follow in the same transaction: the fill applied to their running
    figures, or a refresh from the pair's flat point (:mod:`.live_trades`).
    """
    key = None if client_order_id is None else ids.client_order_id(client_order_id)
    try:
        live_trades.lock_pair(session, fill)  # before the order's row lock (see there)
        if not _apply(session.connection(), fill, key):
            # a replay: its trades may not have followed when it was stored (a call that
            # stopped after the commit, refresh_trades=False); they do now
            live_trades.ensure_current(session, fill)
            return False
        # the pair's trades follow in this transaction (persistence/fastpath/live_trades.py)
        live_trades.advance(session, fill)
        return True
    except DBAPIError as exc:
        translated = translate_error(exc)
        if translated is exc:
            raise
        raise translated from exc


def _apply(conn: Connection, fill: Fill, client_order_id: str | None) -> bool:
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
    # a fill changes the status at most once: then one history row goes with it
    changes = take_changes(order)
    if len(changes) > 1 or order.order_pk is None:
        raise InvariantError("a stored order's fill changes its status once at most")
    if conn.dialect.name == "postgresql":
        both = dict(zip(_FILL_PARAMS, fill_row(fill), strict=True))
        both.update(order_values)
        statement = _INSERT_AND_UPDATE
        if changes:
            statement = _INSERT_UPDATE_AND_NOTE
            (row,) = status_history.rows_of(order.order_pk, changes)
            both.update({_HISTORY_PARAMS[name]: value for name, value in row.items()})
        keys: tuple[Any, ...] | None
        if driver is None:
            keys = tuple(conn.execute(statement, both).one())
        else:
            keys = prepared(statement, conn.dialect).one_or_none(conn, driver, both)
        if keys is None:
            raise InvariantError("the fill's insert-and-update statement returns one row")
        fill_pk, updated = keys[0], keys[1]
    else:
        inserted = conn.execute(
            _INSERT_FILL_IF_NEW[conn.dialect.name],
            fill_dict(fill),
        ).first()
        fill_pk = None if inserted is None else inserted[0]
        updated = None
        if fill_pk is not None:
            updated = conn.execute(_UPDATE_ORDER, order_values).rowcount == 1 or None
        if updated:
            status_history.write_changes(conn, order.order_pk, changes)
    if fill_pk is None:
        stored = _stored_fill(conn, fill)
        if stored is None:
            raise InvariantError("the insert met a conflict, so the fill is stored")
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
