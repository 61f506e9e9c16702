"""The private SQLAlchemy internals this package relies on, each behind one small function.

Speed and the on-demand ORM state need a few things SQLAlchemy does not document as
public API. They are all here, so that an upgrade has one module to read, and
``tests/unit/persistence/test_internals.py`` (no database) and
``tests/integration/test_internals.py`` (PostgreSQL) pin each behaviour relied on: an
upgrade that breaks one fails the test named after it. ``pyproject.toml`` caps
SQLAlchemy below the next minor version for the same reason.

ORM instance state (:mod:`gal_friday.persistence.tables.mapping`, the fast path):

* :data:`STATE_ATTR` / :func:`has_orm_state` - where an instance keeps its state;
* :func:`class_manager` - ``sqlalchemy.orm.instrumentation.opt_manager_of_class``;
* :func:`give_orm_state` - ``ClassManager._state_constructor`` and ``_state_setter``;
* :func:`state_on_demand` - SQLAlchemy finds an instance's state by attribute lookup,
  so a class-level ``__getattr__`` can make it the first time it is asked for.

The pool and the connection (:mod:`gal_friday.persistence.database`, the live path):

* :class:`PerCheckoutPingPool` - ``Pool._pre_ping``, read at every checkout;
* :func:`mark_pinged` - ``_ConnectionRecord.fresh``;
* :func:`raise_as_core_would` - ``Connection._handle_dbapi_exception``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NoReturn

from sqlalchemy import Connection
from sqlalchemy.orm.instrumentation import ClassManager, opt_manager_of_class
from sqlalchemy.orm.state import InstanceState
from sqlalchemy.pool import PoolProxiedConnection, QueuePool

__all__ = [
    "STATE_ATTR",
    "PerCheckoutPingPool",
    "class_manager",
    "give_orm_state",
    "has_orm_state",
    "mark_pinged",
    "raise_as_core_would",
    "state_on_demand",
]

#: The instance attribute (in its ``__dict__``) holding SQLAlchemy's ``InstanceState``
#: (``sqlalchemy.orm.base.DEFAULT_STATE_ATTR``).
STATE_ATTR = "_sa_instance_state"


def has_orm_state(instance: object) -> bool:
    """Whether ``instance`` carries SQLAlchemy's state already (without making it).

    Relies on the state living in the instance's ``__dict__`` under :data:`STATE_ATTR`:
    an ``in`` test does not trigger :func:`state_on_demand` as ``hasattr`` would.
    """
    return STATE_ATTR in instance.__dict__


def class_manager(cls: type) -> ClassManager[Any] | None:
    """SQLAlchemy's instrumentation of ``cls`` (its ``mapper``, ``new_instance()``), or None.

    Relies on ``opt_manager_of_class`` (``sqlalchemy.orm.instrumentation``), which answers
    None for a class never mapped or unmapped by ``registry.dispose()``.
    """
    manager: ClassManager[Any] | None = opt_manager_of_class(cls)
    return manager


def give_orm_state(instance: Any, manager: ClassManager[Any]) -> InstanceState[Any]:
    """Give ``instance`` (made without ``__init__``) a new transient state, as
    ``manager.new_instance()`` gives the instances it makes; its ``__dict__`` is kept.

    Relies on ``ClassManager._state_constructor`` and ``ClassManager._state_setter``.
    """
    state: InstanceState[Any] = manager._state_constructor(instance, manager)
    manager._state_setter(instance, state)
    return state


def state_on_demand(cls: type, make_state: Callable[[Any], InstanceState[Any]] | None) -> None:
    """Install (``make_state``) or remove (None) the class-level ``__getattr__`` that gives an
    instance of ``cls`` its state the first time SQLAlchemy asks for it.

    Relies on SQLAlchemy reading an instance's state with an attribute lookup of
    :data:`STATE_ATTR` (``instance_state`` is ``operator.attrgetter``), which falls back to
    ``__getattr__`` when the instance has none, and on instrumented attributes reading a
    value present in the instance's ``__dict__`` without asking for the state.
    """
    if make_state is None:
        hook = cls.__dict__.get("__getattr__")
        if getattr(hook, _HOOK_MARK, False):
            del cls.__getattr__  # type: ignore[attr-defined]
        return

    def __getattr__(instance: Any, name: str) -> Any:
        if name != STATE_ATTR:
            raise AttributeError(f"{type(instance).__name__!r} object has no attribute {name!r}")
        return make_state(instance)

    setattr(__getattr__, _HOOK_MARK, True)
    cls.__getattr__ = __getattr__  # type: ignore[attr-defined]


_HOOK_MARK = "_galfriday_state_on_demand"  # marks the hook (a class's own __getattr__ stays)


class PerCheckoutPingPool(QueuePool):
    """A ``QueuePool`` that asks :meth:`pings_now` at every checkout whether to pre-ping.

    Relies on the pool reading ``self._pre_ping`` (set from ``pre_ping=``/``pool_pre_ping``
    in ``__init__``) at every checkout, in ``_ConnectionFairy._checkout``: answering it
    per call is what lets one caller skip the ping while the engine's other users keep it.
    """

    _pings: bool

    def pings_now(self) -> bool:
        """Whether this checkout is pinged (when the pool pings at all): always, here."""
        return True

    @property
    def _pre_ping(self) -> bool:
        return self._pings and self.pings_now()

    @_pre_ping.setter
    def _pre_ping(self, value: bool) -> None:
        self._pings = value


def mark_pinged(connection: PoolProxiedConnection) -> None:
    """Treat a checked-out connection as no longer new: its next checkout is pinged.

    A new connection is marked "fresh" and its first checkout skips the pre-ping (it was
    just made); a connection that first went out unpinged must not keep that pass.
    Relies on ``connection._connection_record.fresh`` being that mark.
    """
    record = connection._connection_record
    record.fresh = False


def raise_as_core_would(
    conn: Connection, error: BaseException, statement: str, params: dict[str, Any]
) -> NoReturn:
    """Handle a driver error met outside SQLAlchemy as a Core statement's would be.

    A lost connection invalidates it (and the pool's older ones), the engine's
    ``handle_error`` listeners run, and the error comes out wrapped in SQLAlchemy's
    ``DBAPIError`` family. Relies on ``Connection._handle_dbapi_exception`` (always raises).
    """
    conn._handle_dbapi_exception(error, statement, params, None, None)
