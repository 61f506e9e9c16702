"""The imperative mapping of the domain classes onto the tables, and its lifecycle.

* :func:`start_mappers` is the one place where mapping happens. It is idempotent; the
  composition root (:mod:`gal_friday.persistence.bootstrap`) calls it, and so do
  ``UnitOfWork`` and ``AsyncUnitOfWork`` for callers that use them directly. Making an
  engine maps nothing (the log writer and the schema API need no mapping).
* :func:`clear_mappers` undoes it: the domain classes are plain attrs classes again
  (no ``_sa_class_manager``, plain instances). Storing an object while unmapped raises
  :class:`MappingNotStartedError` saying what to call.
* An object without SQLAlchemy's state (built before mapping started, or assembled
  plainly by :mod:`gal_friday.domain.construction`, which knows nothing of the ORM) is
  adopted the first time SQLAlchemy looks for its state (a class-level ``__getattr__``
  installed while mapped, :func:`~gal_friday.persistence.internals.state_on_demand`): it
  can be read, changed and stored like any other. One that is only read (values written
  in bulk, a live fill's order) never pays for the state.

The domain classes keep no unmapped state, so an object loaded from a row
(SQLAlchemy does not call ``__init__``) obeys the same rules as a new one; the one
exception is transient: the status changes an order notes until they are written
(the mapper's events, :mod:`.status_history`; docs/orders.md).
See ``docs/database.md``.
"""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy.orm import Session, registry, relationship
from sqlalchemy.orm.state import InstanceState

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
)
from gal_friday.persistence import internals
from gal_friday.persistence.tables import definitions as t
from gal_friday.persistence.tables import status_history

mapper_registry = registry(metadata=t.metadata)
_lock = threading.Lock()
_relationships: dict[type, frozenset[str]] = {}  # per mapped class, its relationships' names


class MappingNotStartedError(RuntimeError):
    """A domain object was to be stored while the domain classes are not mapped."""


def start_mappers() -> None:
    """Map every domain class onto its table (a no-op when already mapped)."""
    with _lock:
        if mapper_registry.mappers:
            return
        _map()
        # configured now, not at the first query: a plainly assembled object of a mapped
        # class reads its attributes through configured descriptors
        mapper_registry.configure()
        for mapper in mapper_registry.mappers:
            internals.state_on_demand(mapper.class_, adopt)


def clear_mappers() -> None:
    """Undo :func:`start_mappers`: the domain classes become plain classes again."""
    with _lock:
        for mapper in mapper_registry.mappers:
            internals.state_on_demand(mapper.class_, None)
        mapper_registry.dispose()
        _relationships.clear()


def is_mapped(cls: type) -> bool:
    """Whether ``cls`` is mapped now."""
    manager = internals.class_manager(cls)
    return manager is not None and manager.is_mapped


def adopt(instance: Any) -> InstanceState[Any]:
    """Give ``instance`` (made without SQLAlchemy's state) that state, as a new object's.

    Column values stay where they are, as the ORM puts a loaded row's; relationship values
    are set again through their attribute (a list is appended to the instrumented
    collection) so that history is recorded and cascades apply.
    """
    values = instance.__dict__
    if internals.has_orm_state(instance):
        state: InstanceState[Any] = values[internals.STATE_ATTR]
        return state
    manager = internals.class_manager(type(instance))
    if manager is None or manager.mapper is None:
        raise AttributeError(internals.STATE_ATTR)
    state = internals.give_orm_state(instance, manager)
    relationships = _relationships.get(manager.class_)
    if relationships is None:
        relationships = _relationships[manager.class_] = frozenset(
            manager.mapper.relationships.keys()
        )
    for key in relationships.intersection(values):
        value = values.pop(key)
        setattr(instance, key, list(value) if isinstance(value, list) else value)
    return state


class MappedSession(Session):
    """A session that refuses an unmapped domain object with a clear error."""

    def add(self, instance: object, *args: Any, **kwargs: Any) -> None:
        """Add ``instance`` (mapping must have started)."""
        _require_mapped(instance)
        super().add(instance, *args, **kwargs)

    def add_all(self, instances: Any) -> None:
        """Add every instance (mapping must have started)."""
        instances = list(instances)
        for instance in instances:
            _require_mapped(instance)
        super().add_all(instances)


def _require_mapped(instance: object) -> None:
    if not is_mapped(type(instance)):
        raise MappingNotStartedError(
            f"{type(instance).__name__} is not mapped: call"
            " gal_friday.persistence.bootstrap.start() first (the composition root's factories"
            " and UnitOfWork call it; clear_mappers() undid it)"
        )


def _map() -> None:
    mapper_registry.map_imperatively(Fill, t.fills)
    order_mapper = mapper_registry.map_imperatively(
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
    status_history.listen(order_mapper)  # an order's status changes, written with it
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
