"""Making many domain objects fast, from values that are already known to be valid.

``__init__`` converts and checks every field. Hot paths that make objects by the
hundred thousand use these two functions instead:

* :func:`checked` runs exactly the field checks ``__init__`` runs (the same
  converters, defaults and ``__attrs_post_init__``) and then :func:`assemble`;
  use it for outside input (an importer's rows).
* :func:`assemble` stores the given values as they are; use it only for values
  the domain has just computed and checked itself, or read back from its own
  store (the ORM does not call ``__init__`` when it loads a row either).

The values go straight into the instance's ``__dict__`` (:func:`plain_assemble`): the
domain knows nothing of a persistence layer. One that instruments the classes gives
such an object what it needs when it first meets it (``docs/database.md``).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any, TypeVar

import attrs

T = TypeVar("T")


def plain_assemble(cls: type, values: dict[str, Any]) -> Any:
    """An instance of ``cls`` whose ``__dict__`` is ``values``, made without ``__init__``."""
    instance: Any = object.__new__(cls)
    instance.__dict__.update(values)
    return instance


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
    instance: T = plain_assemble(cls, values)
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
