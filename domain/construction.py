"""Making many domain objects fast, from values that are already known to be valid.

``__init__`` converts and checks every field, and in a class that a persistence
layer instruments every assignment also records history. Hot paths that make
objects by the hundred thousand use these two functions instead:

* :func:`checked` runs exactly the field checks ``__init__`` runs (the same
  converters, defaults and ``__attrs_post_init__``) and then :func:`assemble`;
  use it for outside input (an importer's rows).
* :func:`assemble` stores the given values as they are; use it only for values
  the domain has just computed and checked itself, or read back from its own
  store (the ORM does not call ``__init__`` when it loads a row either).

A persistence layer that instruments the classes replaces how instances are
assembled (:func:`set_assembler`) so that the result is as complete an object as
one made by ``__init__``; without one, the values go straight into the
instance's ``__dict__``. Inside :func:`detached` (a bulk write that only reads the
objects' values) the plain assembly is used all the same: the persistence layer
gives such an object its state if it ever meets a session.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable, Collection, Iterator, Mapping
from typing import Any, TypeVar

import attrs

T = TypeVar("T")
Assembler = Callable[[type, dict[str, Any]], Any]


def plain_assemble(cls: type, values: dict[str, Any]) -> Any:
    """An instance of ``cls`` whose ``__dict__`` is ``values``, made without ``__init__``."""
    instance: Any = object.__new__(cls)
    instance.__dict__.update(values)
    return instance


_assembler: Assembler = plain_assemble


def set_assembler(assembler: Assembler | None) -> None:
    """Use ``assembler(cls, values)`` to make instances (``None``: back to the plain one)."""
    global _assembler
    _assembler = assembler or plain_assemble


_detached: contextvars.ContextVar[bool] = contextvars.ContextVar("detached", default=False)


@contextlib.contextmanager
def detached() -> Iterator[None]:
    """Assemble plainly in this block (this thread or task only), whatever the assembler.

    For objects made by the hundred thousand only to have their values written in bulk
    (an import's fills and orders, a rebuild's trades): the persistence layer's state
    costs more than the rest of making them, and is given on demand to one that is
    later added to a session.
    """
    token = _detached.set(True)
    try:
        yield
    finally:
        _detached.reset(token)


_field_names: dict[type, frozenset[str]] = {}
_plans: dict[type, tuple[tuple[str, Any, Any, bool], ...]] = {}


def field_names(cls: type) -> frozenset[str]:
    """The attrs field names of ``cls``."""
    names = _field_names.get(cls)
    if names is None:
        names = _field_names[cls] = frozenset(field.name for field in attrs.fields(cls))
    return names


def assemble(cls: type[T], values: dict[str, Any]) -> T:
    """An instance of ``cls`` holding ``values`` unchanged: one value for every field."""
    if values.keys() != field_names(cls):
        missing = sorted(field_names(cls) - values.keys())
        unknown = sorted(values.keys() - field_names(cls))
        raise TypeError(f"{cls.__name__}: missing fields {missing}, unknown fields {unknown}")
    instance: T = plain_assemble(cls, values) if _detached.get() else _assembler(cls, values)
    return instance


def _plan(cls: type) -> tuple[tuple[str, Any, Any, bool], ...]:
    """Per field: name, converter, default (value or attrs.Factory), whether it has one."""
    cached = _plans.get(cls)
    if cached is not None:
        return cached
    plan = []
    for field in attrs.fields(cls):
        if field.validator is not None:
            raise TypeError(
                f"{cls.__name__}.{field.name}: checked() runs converters, not validators"
            )
        has_default = field.default is not attrs.NOTHING
        plan.append((field.name, field.converter, field.default, has_default))
    _plans[cls] = tuple(plan)
    return _plans[cls]


def checked(cls: type[T], values: Mapping[str, Any], *, prechecked: Collection[str] = ()) -> T:
    """What ``cls(**values)`` makes, checked the same way, built with :func:`assemble`.

    ``prechecked`` names fields whose value is already what the field's converter returns
    for it (a caller that ran an equivalent check, ``values.plain_amount``): not converted
    again. Defaults, other fields and ``__attrs_post_init__`` run as ever.
    """
    unknown = values.keys() - field_names(cls)
    if unknown:
        raise TypeError(f"{cls.__name__}: unknown fields {sorted(unknown)}")
    result: dict[str, Any] = {}
    for name, converter, default, has_default in _plan(cls):
        if name in values:
            value = values[name]
        elif not has_default:
            raise TypeError(f"{cls.__name__}: missing field {name!r}")
        elif isinstance(default, attrs.Factory):  # type: ignore[arg-type]
            if default.takes_self:
                result_view = _Partial(result)
                value = default.factory(result_view)
            else:
                value = default.factory()
        else:
            value = default
        if converter is not None and name not in prechecked:
            value = converter(value)
        result[name] = value
    instance = assemble(cls, result)
    post_init = getattr(instance, "__attrs_post_init__", None)
    if post_init is not None:
        post_init()
    return instance


class _Partial:
    """The fields converted so far, seen as attributes by a ``takes_self`` default."""

    def __init__(self, values: dict[str, Any]) -> None:
        self._values = values

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(name) from None
