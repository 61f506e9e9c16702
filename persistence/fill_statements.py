"""The live path in Core statements: lock an order, apply one fill by the domain's rules, store it.

Recording a fill as the exchange reports it is the latency-critical write. The
mapped path (load the order and its fills through the ORM, flush) costs about
2 ms more than the SQL it sends; this module sends the same SQL through Core,
with statements built once, and builds the domain objects with
:func:`~gal_friday.domain.construction.assemble`, as the ORM does when it loads rows:

1. ``SELECT ... FROM orders ... FOR UPDATE`` (by client order id, else by
   exchange and exchange order id; SQLite serialises writers itself);
2. the order's fills, read once the lock is held (never joined into the locking
   query: PostgreSQL's recheck of a concurrently updated row would pair it with
   fills of the older snapshot);
3. :meth:`domain.Order.apply_fill`, which enforces every rule and changes nothing
   when it refuses;
4. one ``INSERT`` of the fill and one ``UPDATE`` writing back the order's
   columns as the domain left them and moving ``version`` (``WHERE version =``
   the version read: a mismatch is a :class:`ConcurrencyError`, as on
   the mapped path).

The objects it builds belong to no session: nothing is flushed for them later.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from gal_friday.domain import Fill, NotFoundError, Order
from gal_friday.domain.construction import assemble
from gal_friday.persistence import tables as t
from gal_friday.persistence.errors import ConcurrencyError, translate_error

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
_FILLS_OF_ORDER = (
    select(t.fills)
    .where(t.fills.c.order_pk == bindparam("b_order_pk"))
    .order_by(t.fills.c.filled_at, t.fills.c.fill_id)
)
_INSERT_FILL = insert(t.fills)
#: The order columns written back (everything but the key, the version and the fills).
_ORDER_COLUMNS = tuple(c.name for c in t.orders.columns if c.name not in ("order_pk", "version"))
_FILL_COLUMNS = tuple(c.name for c in t.fills.columns if c.name != "fill_pk")
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


def _locked_row(conn: Connection, fill: Fill, client_order_id: uuid.UUID | None) -> Any:
    if client_order_id is not None:
        return conn.execute(
            _LOCK_BY_CLIENT_ID, {"b_client_order_id": client_order_id}
        ).one_or_none()
    if fill.exchange_order_id is None:
        return None
    return conn.execute(
        _LOCK_BY_EXCHANGE_ID,
        {"b_exchange": fill.exchange, "b_exchange_order_id": fill.exchange_order_id},
    ).one_or_none()


def _load(conn: Connection, fill: Fill, client_order_id: uuid.UUID | None) -> tuple[Order, int]:
    row = _locked_row(conn, fill, client_order_id)
    if row is None:
        key = client_order_id or fill.exchange_order_id
        raise NotFoundError(f"no stored order {key!s} for fill {fill.fill_id!r}")
    values = row._asdict()
    version = values.pop("version")
    fill_rows = conn.execute(_FILLS_OF_ORDER, {"b_order_pk": values["order_pk"]})
    values["fills"] = [assemble(Fill, fill_row._asdict()) for fill_row in fill_rows]
    return assemble(Order, values), version


def apply_fill(session: Session, fill: Fill, client_order_id: uuid.UUID | None = None) -> bool:
    """Apply ``fill`` to its locked order and write both; False for an identical replay.

    ``fill`` becomes one of the order's fills (pass a copy to keep yours untouched).
    Raises :class:`~gal_friday.domain.NotFoundError` for an unknown order, the domain's errors
    for a refused fill (nothing written), and database errors translated as the
    unit of work translates them (a lock conflict is a ConcurrencyError, a duplicate
    fill id a DuplicateFillError).
    """
    try:
        return _apply(session.connection(), fill, client_order_id)
    except DBAPIError as exc:
        translated = translate_error(exc)
        if translated is exc:
            raise
        raise translated from exc


def _apply(conn: Connection, fill: Fill, client_order_id: uuid.UUID | None) -> bool:
    order, version = _load(conn, fill, client_order_id)
    if not order.apply_fill(fill):
        return False
    fill.order_pk = order.order_pk
    conn.execute(_INSERT_FILL, {name: getattr(fill, name) for name in _FILL_COLUMNS})
    result = conn.execute(
        _UPDATE_ORDER,
        {
            **{f"b_{name}": getattr(order, name) for name in _ORDER_COLUMNS},
            "b_order_pk": order.order_pk,
            "b_version": version,
            "b_new_version": version + 1,
        },
    )
    if result.rowcount != 1:
        raise ConcurrencyError(
            f"order {order.client_order_id} changed under its lock; nothing was committed, retry"
        )
    return True
