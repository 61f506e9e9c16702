"""Reading an order's status history (``order_status_history``; docs/orders.md, "History").

The rows are written with each change (:mod:`gal_friday.persistence.tables.status_history`);
here they are read back per order, in the order the changes happened, as
:class:`~gal_friday.domain.order_history.StatusChange` values. What this unit of work has
changed but not yet flushed is flushed first, so the history read includes it.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select

from gal_friday.domain import client_order_ids as ids
from gal_friday.domain.order_history import StatusChange
from gal_friday.persistence.repositories.base import Repository
from gal_friday.persistence.tables import definitions as t

_h = t.order_status_history.c
_COLUMNS = (
    _h.from_status,
    _h.to_status,
    _h.changed_at,
    _h.reason,
    _h.filled_quantity,
    _h.order_pk,
)


class OrderHistoryReads(Repository):
    """An order's status changes, oldest first."""

    def of_order(self, order_pk: int) -> list[StatusChange]:
        """The changes of the order with primary key ``order_pk`` ([] for none, or no order)."""
        self.session.flush()
        stmt = select(*_COLUMNS).where(_h.order_pk == order_pk).order_by(_h.history_pk)
        return [StatusChange(*row) for row in self.session.execute(stmt)]

    def of_client_order_id(self, client_order_id: str | uuid.UUID) -> list[StatusChange]:
        """The changes of the order with Gal-Friday's id ``client_order_id`` (text or UUID)."""
        self.session.flush()
        key = ids.client_order_id(client_order_id)
        stmt = (
            select(*_COLUMNS)
            .join(t.orders, t.orders.c.order_pk == _h.order_pk)
            .where(t.orders.c.client_order_id == key)
            .order_by(_h.history_pk)
        )
        return [StatusChange(*row) for row in self.session.execute(stmt)]
