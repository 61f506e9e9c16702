"""The imperative mapping of the domain classes onto the tables.

``start_mappers()`` is the one place where mapping happens; it is idempotent and
is called by :func:`~gal_friday.persistence.database.create_engine` and
:func:`~gal_friday.persistence.database.create_async_engine`.
The domain classes keep no unmapped state, so an object loaded from a row
(SQLAlchemy does not call ``__init__``) obeys the same rules as a new one.
Mapping also installs :func:`assemble_instance` as the domain's assembler
(:mod:`gal_friday.domain.construction`), so objects the hot paths assemble carry SQLAlchemy's
instance state like any other: they can be added to a session, flushed, changed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import registry, relationship
from sqlalchemy.orm.instrumentation import ClassManager, opt_manager_of_class

from gal_friday.domain import (
    Configuration,
    EventLog,
    Fill,
    Log,
    Order,
    PortfolioSnapshot,
    Signal,
    SystemLog,
    Trade,
    construction,
)
from gal_friday.persistence import tables as t

mapper_registry = registry(metadata=t.metadata)
_lock = threading.Lock()


def start_mappers() -> None:
    """Map every domain class onto its table (a no-op when already mapped)."""
    with _lock:
        if mapper_registry.mappers:
            return
        _map()
        construction.set_assembler(assemble_instance)


_Recipe = tuple[Callable[[], Any], frozenset[str]]
_recipes: dict[type, _Recipe | None] = {}


def _recipe(cls: type) -> _Recipe | None:
    if cls not in _recipes:
        manager: ClassManager[Any] | None = opt_manager_of_class(cls)
        _recipes[cls] = (
            None
            if manager is None or manager.mapper is None
            else (manager.new_instance, frozenset(manager.mapper.relationships.keys()))
        )
    return _recipes[cls]


def assemble_instance(cls: type, values: dict[str, Any]) -> Any:
    """A new (transient) instance of ``cls`` holding ``values``, with SQLAlchemy's state.

    Column values go straight into the instance dict, as the ORM does when it
    loads a row; relationships go through their attribute (a list is appended to
    the instrumented collection) so that history is recorded and cascades apply.
    """
    recipe = _recipe(cls)
    if recipe is None:
        return construction.plain_assemble(cls, values)
    new_instance, relationships = recipe
    instance = new_instance()
    state_dict = instance.__dict__
    state_dict.update(values)
    for key in relationships.intersection(values):
        value = state_dict.pop(key)
        if isinstance(value, list):
            if value:  # an empty collection is made on first access
                getattr(instance, key).extend(value)
        else:
            setattr(instance, key, value)
    return instance


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
