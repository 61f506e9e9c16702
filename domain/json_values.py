"""The one JSON encoding of every JSON field (docs/payloads.md).

Signal predictions and risk details, event payloads, snapshot balances and positions,
configuration content and log contexts are stored as JSON. Before they are stored,
:func:`to_json` turns a value into plain JSON values (dicts with string keys, lists,
strings, ints, floats, booleans, None):

* ``Decimal``: a JSON **string** of its exact digits in plain notation, its scale kept
  (``Decimal("61.20")`` is ``"61.20"``, ``Decimal("1E-7")`` is ``"0.0000001"``; only a
  positive exponent keeps its form: ``Decimal("1E+3")`` is ``"1E+3"``); read it back with
  :func:`decimal_from_json` (or ``Decimal(text)``): the same digits and scale. A string
  is what every driver and both databases keep as it is (a JSON number would come back
  as a float, or with its exponent rewritten), and it is how exchanges send amounts.
* ``float``: a JSON number (NaN and infinities are refused: they are not JSON);
  ``int`` (not ``bool``): a JSON number, however large.
* numpy scalars (``np.float32(61.2)``, ``np.int64(3)``, ``np.bool_(True)``): the Python
  number (or bool) they hold, found by duck typing (``.item()`` on an object whose type's
  module is numpy; numpy is never imported); a float32 keeps its shortest text (``61.2``).
* ``datetime`` (aware, converted to UTC), ``date``, ``UUID``: ISO text; an enum: its value.
* tuples as lists; mappings whose keys are strings as objects.

Anything else (a naive datetime, a set, bytes, a numpy array, an object, a non-string
key, a NaN) is refused with :class:`JSONValueError`, which names the field and the path
inside it: ``risk_check_details.limits[2].max: a set is not JSON``.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any

from gal_friday.domain.errors import InvalidValueError

#: How deep a value may nest (deeper is refused, never a crash).
MAX_DEPTH = 100
_PLAIN = frozenset({str, int, bool, type(None)})  # stored as they are (floats are checked)


class JSONValueError(InvalidValueError):
    """A value that has no JSON encoding; the message names the field and the path inside it."""

    def __init__(self, location: str, problem: str) -> None:
        super().__init__(location, problem)
        self.location = location


def decimal_text(value: Decimal) -> str:
    """A finite ``Decimal`` as stored in JSON: its exact digits and scale, in plain notation
    (``"61.20"``, ``"0.0000001"``) unless its exponent is positive (``"1E+3"``)."""
    exponent = value.as_tuple().exponent
    return str(value) if isinstance(exponent, int) and exponent > 0 else format(value, "f")


def is_numpy_scalar(value: object) -> bool:
    """True for a numpy scalar (``np.float32(1.5)``), told without importing numpy."""
    module = type(value).__module__
    return (module == "numpy" or module.startswith("numpy.")) and getattr(value, "ndim", 1) == 0


def numpy_item(value: Any) -> Any:
    """The Python value a numpy scalar holds; a float by its shortest text (float32 too).

    Payload numbers only (a model's prediction, a risk parameter the caller computed as a
    float): amounts are ``Decimal`` and never pass through here (docs/payloads.md).
    """
    item = value.item()
    if isinstance(item, float) and math.isfinite(item):
        try:
            return float(str(value))  # np.float32(61.2) is "61.2", not 61.20000076293945
        except ValueError:
            return item
    return item


def _child(location: str, key: str) -> str:
    return f"{location}.{key}" if key.isidentifier() else f"{location}[{key!r}]"


def to_json(value: Any, field: str) -> Any:
    """``value`` as plain JSON values (module docstring); ``field`` names it in errors."""
    return _encode(value, field, 0)


def json_document(value: object, field: str) -> dict[str, Any]:
    """A mapping as a JSON object (:func:`to_json`); a field check of the domain classes."""
    if not isinstance(value, Mapping):
        raise JSONValueError(field, f"must be a mapping, not {type(value).__name__}")
    result: dict[str, Any] = _encode(value, field, 0)
    return result


def _encode(value: Any, location: str, depth: int) -> Any:
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return value
    if kind is float:
        if not math.isfinite(value):
            raise JSONValueError(location, f"{value!r} is not a JSON number")
        return value
    if depth >= MAX_DEPTH:
        raise JSONValueError(location, f"nests deeper than {MAX_DEPTH} levels")
    if kind is not dict and isinstance(value, Enum):
        return _encode(value.value, location, depth + 1)
    if kind is dict or isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, child in value.items():
            if type(key) is not str:
                if not isinstance(key, str):
                    raise JSONValueError(
                        location, f"key {key!r} is a {type(key).__name__}, not a string"
                    )
                key = str.__str__(key)  # a str subclass (an enum member)
            if type(child) in _PLAIN:  # the usual leaves, without a call
                out[key] = child
            else:
                out[key] = _encode(child, _child(location, key), depth + 1)
        return out
    if isinstance(value, (list, tuple)):
        return [_encode(item, f"{location}[{i}]", depth + 1) for i, item in enumerate(value)]
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):  # np.float64 and other float subclasses: a payload number the
        return _encode(float(value), location, depth)  # caller gave as a float, never money
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise JSONValueError(location, f"Decimal {value} is not a finite number")
        return decimal_text(value)
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise JSONValueError(location, f"datetime {value.isoformat()} has no time zone")
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if is_numpy_scalar(value):
        return _encode(numpy_item(value), location, depth + 1)
    raise JSONValueError(location, _refusal(value))


def _refusal(value: object) -> str:
    kind = type(value)
    if isinstance(value, (set, frozenset)):
        return f"a {kind.__name__} is not JSON (give a sorted list)"
    if isinstance(value, (bytes, bytearray)):
        return f"{kind.__name__} is not JSON (give text)"
    if kind.__module__.split(".")[0] == "numpy":
        return f"a numpy {kind.__name__} is not JSON (give .tolist() or a scalar)"
    return f"a {kind.__module__}.{kind.__qualname__} is not JSON"


def decimal_from_json(value: object, field: str) -> Decimal:
    """A ``Decimal`` read back exactly from its JSON form (a decimal string, or an int)."""
    if isinstance(value, bool) or not isinstance(value, (str, int, Decimal)):
        raise InvalidValueError(field, f"{value!r} is not a stored decimal")
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise InvalidValueError(field, f"{value!r} is not a decimal") from None
    if not amount.is_finite():
        raise InvalidValueError(field, f"{value!r} is not a finite decimal")
    return amount
