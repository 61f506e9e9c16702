"""Orders, the aggregate that owns its fills; the live path stores a fill through it."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import BigInteger, any_, bindparam, func, or_, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import subqueryload

from gal_friday.domain import Fill, Order, OrderStatus, Signal
from gal_friday.domain import client_order_ids as ids
from gal_friday.domain.attribution import OrderAttribution, bind_signal
from gal_friday.domain.invariants import InvariantError
from gal_friday.domain.order_history import StatusChange
from gal_friday.persistence.database import skipping_pre_ping
from gal_friday.persistence.fastpath import fill_statements
from gal_friday.persistence.fastpath.batching import chunked
from gal_friday.persistence.repositories.base import Repository
from gal_friday.persistence.repositories.order_history import OrderHistoryReads
from gal_friday.persistence.tables import definitions as t

OPEN_STATUSES = [s for s in OrderStatus if s.is_open]
#: Orders looked up per statement by :meth:`OrderRepository.attribution_of`.
ATTRIBUTION_CHUNK = 1000


class OrderRepository(Repository):
    """Orders, with their fills loaded alongside (selectin)."""

    def add(self, order: Order) -> None:
        """Stage a new order (and its fills); an order with a stored signal takes the
        signal's strategy, and one naming another strategy is refused
        (:func:`~gal_friday.domain.attribution.bind_signal`)."""
        if order.signal_id is not None:
            signal = self.session.get(Signal, order.signal_id)
            if signal is not None:  # an unknown signal: the foreign key refuses it
                bind_signal(order, signal)
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

    def get_by_client_id(self, client_order_id: str | uuid.UUID) -> Order | None:
        """The order with Gal-Friday's own id (text, or a UUID: its canonical text)."""
        key = ids.client_order_id(client_order_id)
        stmt = select(Order).where(t.orders.c.client_order_id == key)
        return self.session.scalars(stmt).one_or_none()

    def history(self, order: Order | int) -> list[StatusChange]:
        """The status changes of ``order`` (an order or its ``order_pk``), oldest first
        (docs/orders.md, "History"); [] for an order not stored yet or imported."""
        order_pk = order if isinstance(order, int) else order.order_pk
        if order_pk is None:
            self.session.flush()  # a staged order gets its key, and its history is written
            order_pk = order.order_pk if isinstance(order, Order) else None
        if order_pk is None:
            return []
        return OrderHistoryReads(self.session).of_order(order_pk)

    def history_by_client_id(self, client_order_id: str | uuid.UUID) -> list[StatusChange]:
        """The status changes of the order with Gal-Friday's id ``client_order_id``."""
        return OrderHistoryReads(self.session).of_client_order_id(client_order_id)

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
                if order.exchange_order_id is None:
                    raise InvariantError("an order found by its exchange id has one")
                found[order.exchange_order_id] = order
        return found

    def store_live_fill(self, fill: Fill, client_order_id: str | uuid.UUID | None = None) -> bool:
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

    def by_strategy(self, strategy_id: str) -> list[Order]:
        """The orders a strategy placed (its own or through its signals), oldest first."""
        stmt = select(Order).where(t.orders.c.strategy_id == strategy_id)
        return self._all(stmt.order_by(t.orders.c.created_at, t.orders.c.order_pk))

    def by_signal(self, signal_id: uuid.UUID) -> list[Order]:
        """The orders placed for a signal, oldest first."""
        stmt = select(Order).where(t.orders.c.signal_id == signal_id)
        return self._all(stmt.order_by(t.orders.c.created_at, t.orders.c.order_pk))

    def fills_by_strategy(self, strategy_id: str) -> list[Fill]:
        """The fills of a strategy's orders, in time order."""
        return self._fills_where(t.orders.c.strategy_id == strategy_id)

    def fills_by_signal(self, signal_id: uuid.UUID) -> list[Fill]:
        """The fills of a signal's orders, in time order."""
        return self._fills_where(t.orders.c.signal_id == signal_id)

    def _fills_where(self, condition: Any) -> list[Fill]:
        of_orders = select(t.orders.c.order_pk).where(condition)
        stmt = select(Fill).where(t.fills.c.order_pk.in_(of_orders))
        return self._all(stmt.order_by(t.fills.c.filled_at, t.fills.c.fill_id))

    def attribution_of(self, order_pks: Iterable[int]) -> dict[int, OrderAttribution]:
        """The attribution of those of ``order_pks`` that carry any (signal, strategy or
        reason; the strategy is the signal's when the order names none), by ``order_pk``.

        What a trade rebuild reads for each batch of trades (docs/attribution.md): the
        primary key's index, never a scan of the pair's orders.
        """
        c = t.orders.c
        strategy = func.coalesce(c.strategy_id, t.signals.c.strategy_id)
        postgres = self.session.get_bind().dialect.name == "postgresql"
        found: dict[int, OrderAttribution] = {}
        for chunk in chunked(sorted(set(order_pks)), ATTRIBUTION_CHUNK):
            # one array parameter on PostgreSQL: an IN list of 2,000 bound parameters costs
            # tens of milliseconds to plan there, the array a fraction of one
            among = (
                c.order_pk == any_(bindparam(None, chunk, type_=postgresql.ARRAY(BigInteger)))
                if postgres
                else c.order_pk.in_(chunk)
            )
            stmt = (
                select(c.order_pk, c.signal_id, strategy, c.reason)
                .select_from(t.orders.outerjoin(t.signals, t.signals.c.signal_id == c.signal_id))
                .where(among)
                .where(
                    or_(c.signal_id.is_not(None), c.strategy_id.is_not(None), c.reason.is_not(None))
                )
            )
            for pk, signal_id, strategy_id, reason in self.session.execute(stmt):
                found[pk] = OrderAttribution(signal_id, strategy_id, reason)
        return found
