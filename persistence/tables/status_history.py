"""Writing an order's status changes into ``order_status_history``, with the order's own write.

An :class:`~gal_friday.domain.Order` notes each change of its status
(:mod:`gal_friday.domain.order_history`); whoever writes the order writes the noted changes
in the same transaction, one row each (docs/orders.md, "History"):

* the mapped path (``orders.add``, a status changed on an order read in the unit of work):
  the mapper's ``after_insert`` / ``after_update`` events (:func:`listen`), which run on
  the flush's own connection;
* the live fill path (:mod:`gal_friday.persistence.fastpath.fill_statements`):
  :func:`write_changes` after its UPDATE, only when the fill changed the status.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, event, insert
from sqlalchemy.orm import Mapper

from gal_friday.domain.order_history import StatusChange, take_changes
from gal_friday.persistence.tables import definitions as t

_INSERT = insert(t.order_status_history)


def rows_of(order_pk: int, changes: Sequence[StatusChange]) -> list[dict[str, Any]]:
    """The rows of ``changes`` of order ``order_pk``, in the order they happened."""
    return [
        {
            "order_pk": order_pk,
            "from_status": change.from_status,
            "to_status": change.to_status,
            "changed_at": change.changed_at,
            "reason": change.reason,
            "filled_quantity": change.filled_quantity,
        }
        for change in changes
    ]


def write_changes(conn: Connection, order_pk: int, changes: Sequence[StatusChange]) -> None:
    """Insert ``changes`` of order ``order_pk`` (one INSERT; nothing for none)."""
    if changes:
        conn.execute(_INSERT, rows_of(order_pk, changes))


def _after_write(mapper: Mapper[Any], conn: Connection, order: Any) -> None:
    changes = take_changes(order)
    if changes:
        write_changes(conn, order.order_pk, changes)


def listen(mapper: Mapper[Any]) -> None:
    """Write the noted changes of every order the mapper inserts or updates."""
    event.listen(mapper, "after_insert", _after_write)
    event.listen(mapper, "after_update", _after_write)
