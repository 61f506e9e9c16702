"""The imperative mapping of the domain classes onto the tables.

``start_mappers()`` is the one place where mapping happens; it is idempotent and
is called by :func:`persistence.database.create_engine` and by test fixtures.
The domain classes keep no unmapped state, so an object loaded from a row
(SQLAlchemy does not call ``__init__``) obeys the same rules as a new one.
"""

from __future__ import annotations

import threading

from sqlalchemy.orm import registry, relationship

from domain import (
    Configuration,
    EventLog,
    Fill,
    Log,
    Order,
    PortfolioSnapshot,
    Signal,
    SystemLog,
    Trade,
)
from persistence import tables as t

mapper_registry = registry(metadata=t.metadata)
_lock = threading.Lock()


def start_mappers() -> None:
    """Map every domain class onto its table (a no-op when already mapped)."""
    with _lock:
        if mapper_registry.mappers:
            return
        _map()


def _map() -> None:
    mapper_registry.map_imperatively(Fill, t.fills)
    mapper_registry.map_imperatively(
        Order,
        t.orders,
        version_id_col=t.orders.c.version,
        properties={
            # Fills are history: saved with their order, never deleted through it.
            "fills": relationship(
                Fill,
                order_by=[t.fills.c.filled_at, t.fills.c.fill_id],
                lazy="selectin",
                cascade="save-update, merge",
                passive_deletes="all",
            ),
        },
    )
    mapper_registry.map_imperatively(
        Signal,
        t.signals,
        properties={
            # A real (not view-only) relationship, so the unit of work inserts a signal
            # before the orders that reference it; never deletes through it.
            "orders": relationship(
                Order,
                order_by=t.orders.c.created_at,
                lazy="select",
                cascade="save-update, merge",
                passive_deletes="all",
            ),
        },
    )
    mapper_registry.map_imperatively(
        Trade,
        t.trades,
        properties={
            # Many-to-one: they order the inserts (parents first) and never cascade deletes.
            "signal": relationship(Signal, lazy="select", cascade="merge"),
            "entry_order": relationship(
                Order, foreign_keys=[t.trades.c.entry_order_pk], lazy="select", cascade="merge"
            ),
            "exit_order": relationship(
                Order, foreign_keys=[t.trades.c.exit_order_pk], lazy="select", cascade="merge"
            ),
        },
    )
    mapper_registry.map_imperatively(PortfolioSnapshot, t.portfolio_snapshots)
    mapper_registry.map_imperatively(Configuration, t.configurations)
    mapper_registry.map_imperatively(Log, t.logs)
    mapper_registry.map_imperatively(SystemLog, t.system_logs)
    mapper_registry.map_imperatively(EventLog, t.event_logs)
