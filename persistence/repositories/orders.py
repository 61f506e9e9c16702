"""Orders, the aggregate that owns its fills; the live path stores a fill through it."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import subqueryload

from gal_friday.domain import Fill, Order, OrderStatus
from gal_friday.persistence.database import skipping_pre_ping
from gal_friday.persistence.fastpath import fill_statements
from gal_friday.persistence.repositories.base import Repository
from gal_friday.persistence.tables import definitions as t

OPEN_STATUSES = [s for s in OrderStatus if s.is_open]


class OrderRepository(Repository):
    """Orders, with their fills loaded alongside (selectin)."""

    def add(self, order: Order) -> None:
        """Stage a new order (and its fills)."""
        self.session.add(order)

    @property
    def imports_in_background(self) -> bool:
        """True when :meth:`add_imported` and ``fills.add_bulk`` may run in another thread
        while the caller does no database work meanwhile: COPY on a synchronous PostgreSQL
        connection, which waits for the server with the GIL released."""
        bind = self.session.get_bind()
        return bind.dialect.name == "postgresql" and not bind.dialect.is_async

    def add_imported(self, orders: Sequence[Order]) -> None:
        """Insert new orders through the bulk path (COPY on PostgreSQL), setting each one's
        ``order_pk`` and its fills'; the fills are written by :meth:`FillRepository.add_bulk`."""
        from gal_friday.persistence.fastpath import bulk  # psycopg: imported when used

        bulk.insert_orders(self.session.connection(), orders)

    def get(self, order_pk: int) -> Order | None:
        """The order with this primary key."""
        return self.session.get(Order, order_pk)

    def get_by_client_id(self, client_order_id: uuid.UUID) -> Order | None:
        """The order with Gal-Friday's own id."""
        stmt = select(Order).where(t.orders.c.client_order_id == client_order_id)
        return self.session.scalars(stmt).one_or_none()

    def get_by_exchange_id(self, exchange: str, exchange_order_id: str) -> Order | None:
        """The order the exchange knows by ``exchange_order_id``."""
        stmt = select(Order).where(
            t.orders.c.exchange_order_id == exchange_order_id, t.orders.c.exchange == exchange
        )
        return self.session.scalars(stmt).one_or_none()

    def by_exchange_ids(self, exchange: str, exchange_order_ids: Iterable[str]) -> dict[str, Order]:
        """The stored orders among ``exchange_order_ids``, by id."""
        found: dict[str, Order] = {}
        for among in self._among(t.orders.c.exchange_order_id, exchange_order_ids):
            stmt = select(Order).where(t.orders.c.exchange == exchange, among)
            for order in self.session.scalars(stmt):
                assert order.exchange_order_id is not None
                found[order.exchange_order_id] = order
        return found

    def store_live_fill(self, fill: Fill, client_order_id: uuid.UUID | None = None) -> bool:
        """The live path: lock the fill's order (by ``client_order_id``, else by the fill's
        exchange order id), apply ``fill`` by the domain's rules, and write the fill and the
        order's changes in this transaction (Core statements, see :mod:`.fill_statements`).
        False for an identical replay, which writes nothing.

        The pooled connection is not pinged first (one round trip on the hot path): a dead
        one fails the first statement with
        :class:`~gal_friday.persistence.errors.DatabaseUnavailableError` before anything is
        written, which the caller retries on a fresh unit of work (``record_fill`` does).
        """
        with skipping_pre_ping():
            return fill_statements.store_live_fill(self.session, fill, client_order_id)

    def get_for_update(self, order_pk: int) -> Order | None:
        """The order, re-read and locked for this transaction (SELECT ... FOR UPDATE).

        On SQLite the lock is a no-op: SQLite serialises writers on its own.
        """
        stmt = (
            select(Order)
            .where(t.orders.c.order_pk == order_pk)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return self.session.scalars(stmt).one_or_none()

    def list_open(
        self, trading_pair: str | None = None, exchange: str | None = None
    ) -> list[Order]:
        """Orders the exchange may still fill, oldest first."""
        stmt = select(Order).where(t.orders.c.status.in_(OPEN_STATUSES))
        # Their fills by one query joined to this one, not selectin's lists of 500 keys.
        stmt = stmt.options(subqueryload(Order.fills))  # type: ignore[arg-type]
        if trading_pair is not None:
            stmt = stmt.where(t.orders.c.trading_pair == trading_pair)
        if exchange is not None:
            stmt = stmt.where(t.orders.c.exchange == exchange)
        return self._all(stmt.order_by(t.orders.c.created_at, t.orders.c.order_pk))
