"""The imperative mapping of the domain classes onto the tables, and its lifecycle.

* :func:`start_mappers` is the one place where mapping happens. It is idempotent and
  :func:`~gal_friday.persistence.database.create_engine` calls it, so whoever makes an
  engine (directly or through ``engine_for``/``UnitOfWork``) has the domain mapped.
* :func:`clear_mappers` undoes it: the domain classes are plain attrs classes again
  (no ``_sa_class_manager``, plain instances). Storing an object while unmapped raises
  :class:`MappingNotStartedError` saying what to call.
* An object built before mapping started is adopted the first time SQLAlchemy looks
  for its state (a class-level ``__getattr__`` installed while mapped): it can be read,
  changed and stored like any other.

The domain classes keep no unmapped state, so an object loaded from a row
(SQLAlchemy does not call ``__init__``) obeys the same rules as a new one.
Mapping also installs :func:`assemble_instance` as the domain's assembler
(:mod:`gal_friday.domain.construction`), so objects the hot paths assemble carry SQLAlchemy's
instance state like any other: they can be added to a session, flushed, changed.
See ``docs/database.md``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session, registry, relationship
from sqlalchemy.orm.instrumentation import ClassManager, opt_manager_of_class
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
    construction,
)
from gal_friday.persistence.tables import definitions as t

mapper_registry = registry(metadata=t.metadata)
_lock = threading.Lock()
_STATE = "_sa_instance_state"


class MappingNotStartedError(RuntimeError):
    """A domain object was to be stored while the domain classes are not mapped."""


def start_mappers() -> None:
    """Map every domain class onto its table (a no-op when already mapped)."""
    with _lock:
        if mapper_registry.mappers:
            return
        _map()
        # configured now, not at the first query: a plainly assembled object of a mapped
        # class (construction.detached) reads its attributes through configured descriptors
        mapper_registry.configure()
        for mapper in mapper_registry.mappers:
            mapper.class_.__getattr__ = _state_on_demand
        construction.set_assembler(assemble_instance)


def clear_mappers() -> None:
    """Undo :func:`start_mappers`: the domain classes become plain classes again."""
    with _lock:
        for mapper in mapper_registry.mappers:
            if mapper.class_.__dict__.get("__getattr__") is _state_on_demand:
                del mapper.class_.__getattr__
        mapper_registry.dispose()
        _recipes.clear()
        construction.set_assembler(None)


def is_mapped(cls: type) -> bool:
    """Whether ``cls`` is mapped now."""
    manager: ClassManager[Any] | None = opt_manager_of_class(cls)
    return manager is not None and manager.is_mapped


def _state_on_demand(instance: Any, name: str) -> Any:
    """``__getattr__`` of mapped classes: give an object built before mapping its state."""
    if name != _STATE:
        raise AttributeError(f"{type(instance).__name__!r} object has no attribute {name!r}")
    return adopt(instance)


def adopt(instance: Any) -> InstanceState[Any]:
    """Give ``instance`` (built before mapping started) SQLAlchemy's state, as if new.

    Column values stay where they are; relationship values are set again through
    their attribute so that history and cascades see them (as :func:`assemble_instance`).
    """
    if _STATE in instance.__dict__:
        state: InstanceState[Any] = instance.__dict__[_STATE]
        return state
    manager: ClassManager[Any] | None = opt_manager_of_class(type(instance))
    if manager is None or manager.mapper is None:
        raise AttributeError(_STATE)
    state = manager._state_constructor(instance, manager)
    manager._state_setter(instance, state)
    values = instance.__dict__
    for key in frozenset(manager.mapper.relationships.keys()).intersection(values):
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
            " gal_friday.persistence.tables.mapping.start_mappers() first (create_engine() and"
            " UnitOfWork(url) call it; clear_mappers() undid it)"
        )


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
