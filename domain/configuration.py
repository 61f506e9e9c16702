"""Configuration versions, identified by the SHA-256 of their canonical JSON.

``config_hash`` is the hex SHA-256 of the canonical JSON text of the content,
encoded as UTF-8: ``json.dumps(content, sort_keys=True, separators=(",", ":"),
ensure_ascii=False)`` with every number written by its value (docs: the
"Configuration versions" rule):

* an ``int`` (never a ``bool``) as its digits, however large (``2**70`` too);
* a ``Decimal`` or a ``float`` by its exact decimal value (a float by its shortest
  ``repr``, so ``0.1`` is ``0.1``) in plain notation, never with an exponent, keeping
  its scale: ``Decimal("1.50")`` is ``1.50``, ``1.0`` is ``1.0``, ``Decimal("1E-7")``
  is ``0.0000001``, ``2.5e300`` is ``25`` followed by 299 zeros (an exponent above
  zero leaves no decimal point), a negative zero is ``0`` with its scale.

Plain notation is what both databases give back unchanged: SQLite keeps the text,
PostgreSQL's JSONB keeps a number's digits and scale but rewrites exponents
(``2.5e+300`` comes back as its 301 digits, which is why a float hashed by its
``repr`` raised a false tamper alarm). The stored content is that canonical text
read back with ``Decimal`` for every number with a decimal point and ``int`` for
the others (:func:`parse_canonical`): a ``Decimal`` round-trips exactly, digits and
scale, and what either database returns verifies against the hash it was stored
with.

Content must be JSON-native otherwise (dicts with string keys, lists, strings,
booleans, null); NaN and infinities are refused because they are not JSON.
Versions hashed before numbers were written this way (floats by ``repr``) still
verify: :meth:`Configuration.matches_content` accepts that legacy hash too.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import attrs

from gal_friday.domain import values as v
from gal_friday.domain.errors import InvalidValueError


def _not_json(reason: str) -> InvalidValueError:
    return InvalidValueError("config_content", f"is not JSON-serialisable: {reason}")


#: How deep content may nest (the JSON encoder recurses; deeper is refused, not a crash).
MAX_DEPTH = 200


def number_text(value: int | float | Decimal) -> str:
    """The canonical JSON text of a number (see the module docstring)."""
    if isinstance(value, bool):
        raise InvalidValueError("config_content", "a boolean is not a number")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _not_json(f"Out of range float {value!r}")
        value = Decimal(repr(value))
    if not value.is_finite():
        raise _not_json(f"Out of range Decimal {value!r}")
    if value.is_zero():
        value = abs(value)  # no negative zero in JSON numbers as databases keep them
    return format(value, "f")


def canonical_json(content: Mapping[str, Any]) -> str:
    """The canonical JSON text of ``content``."""
    return "".join(_encode(content, 0))


def _encode(value: Any, depth: int) -> Iterator[str]:
    if depth > MAX_DEPTH:
        raise InvalidValueError("config_content", f"nests deeper than {MAX_DEPTH} levels")
    if value is None or isinstance(value, (str, bool)):
        yield json.dumps(value, ensure_ascii=False)
    elif isinstance(value, (int, float, Decimal)):
        yield number_text(value)
    elif isinstance(value, Mapping):
        yield "{"
        keys = list(value)
        for key in keys:
            if not isinstance(key, str):
                raise _not_json(f"key {key!r} is not a string: not supported")
        for index, key in enumerate(sorted(keys)):
            if index:
                yield ","
            yield json.dumps(key, ensure_ascii=False)
            yield ":"
            yield from _encode(value[key], depth + 1)
        yield "}"
    elif isinstance(value, (list, tuple)):
        yield "["
        for index, item in enumerate(value):
            if index:
                yield ","
            yield from _encode(item, depth + 1)
        yield "]"
    else:
        raise _not_json(f"Object of type {type(value).__name__} is not JSON")


def parse_canonical(text: str) -> Any:
    """JSON text read back as the domain keeps content: non-integral numbers as ``Decimal``."""
    return json.loads(text, parse_float=Decimal)


def config_hash(content: Mapping[str, Any]) -> str:
    """SHA-256 hex digest of the canonical JSON of ``content``."""
    return hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()


def _legacy_hash(content: Mapping[str, Any]) -> str | None:
    """The hash as versions stored before canonical numbers computed it (floats by repr)."""
    try:
        as_floats = json.loads(json.dumps(content, default=float))
        text = json.dumps(as_floats, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    except (TypeError, ValueError, OverflowError):
        return None
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@attrs.define(slots=False, eq=False, kw_only=True, field_transformer=v.apply_checks)
class Configuration:
    """One stored version of the application's configuration."""

    config_hash: str
    config_content: dict[str, Any]
    loaded_at: datetime = attrs.field(factory=lambda: datetime.now(UTC), metadata=v.check(v.utc))
    is_active: bool = False
    config_pk: int | None = None

    @classmethod
    def from_content(
        cls, content: Mapping[str, Any], loaded_at: datetime | None = None
    ) -> Configuration:
        """A new, inactive version of ``content`` with its canonical hash."""
        if not isinstance(content, Mapping):
            raise InvalidValueError("config_content", "must be a mapping")
        text = canonical_json(content)
        kwargs: dict[str, Any] = {} if loaded_at is None else {"loaded_at": loaded_at}
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        return cls(config_hash=digest, config_content=parse_canonical(text), **kwargs)

    def matches_content(self) -> bool:
        """True when ``config_hash`` is the hash of ``config_content`` (detects tampering)."""
        try:
            if self.config_hash == config_hash(self.config_content):
                return True
        except InvalidValueError:
            return False
        return self.config_hash == _legacy_hash(self.config_content)
