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
``repr`` raised a false tamper alarm).

Content is first put in the library's one JSON encoding
(:func:`~gal_friday.domain.json_values.to_json`, ``docs/payloads.md``): a ``Decimal``
becomes the string of its exact digits, a date or an aware datetime its ISO text, a numpy
scalar its number; anything without an encoding is refused naming its path
(``config_content.exchange.limits[2]``). So the numbers left are ints and floats, and a
float is written so that it reads back as a float: a float whose plain text has no
decimal point gets ``.0`` (``1e20`` is ``100000000000000000000.0``). Read back
(:func:`parse_canonical`), an int is an int, a float a float, a ``Decimal`` its string
(``Decimal(text)`` restores it exactly), and what either database returns verifies
against the hash it was stored with.

:meth:`Configuration.from_content` redacts secrets in the content as logs do
(:func:`~gal_friday.domain.redaction.redact_json`): the value under a secret key
(``password``, ``api_key``, ``kraken_api_secret``, ...) is ``***`` at any depth and
strings lose credentials of a recognisable shape (a URL's password); the hash is that of
the redacted content. Keep secrets out of the content (name the environment variable
that holds one) rather than rely on this.

Versions stored before (floats hashed by ``repr``; ``Decimal`` written as a number)
still verify: :meth:`Configuration.matches_content` accepts those hashes too, and such a
number reads back as a float when its text is the float's, else as a ``Decimal``.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import attrs

from gal_friday.domain import values as v
from gal_friday.domain.errors import InvalidValueError
from gal_friday.domain.json_values import to_json
from gal_friday.domain.redaction import DEFAULT_SECRET_KEYS, redact_json


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


def _float_text(value: float) -> str:
    """A float's canonical text, which reads back as a float (a decimal point always)."""
    text = number_text(value)
    return text if "." in text else f"{text}.0"


def canonical_json(content: Mapping[str, Any]) -> str:
    """The canonical JSON text of ``content`` (put in the JSON encoding first)."""
    return "".join(_encode(to_json(content, "config_content"), 0, _float_text))


def _legacy_canonical(content: Mapping[str, Any]) -> str:
    """The canonical text as versions stored before the JSON encoding hashed it: every
    ``Decimal`` and float a number in plain notation."""
    return "".join(_encode(content, 0, number_text))


def _encode(value: Any, depth: int, float_text: Callable[[float], str]) -> Iterator[str]:
    if depth > MAX_DEPTH:
        raise InvalidValueError("config_content", f"nests deeper than {MAX_DEPTH} levels")
    if value is None or isinstance(value, (str, bool)):
        yield json.dumps(value, ensure_ascii=False)
    elif isinstance(value, float):
        yield float_text(value)
    elif isinstance(value, (int, Decimal)):
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
            yield from _encode(value[key], depth + 1, float_text)
        yield "}"
    elif isinstance(value, (list, tuple)):
        yield "["
        for index, item in enumerate(value):
            if index:
                yield ","
            yield from _encode(item, depth + 1, float_text)
        yield "]"
    else:
        raise _not_json(f"Object of type {type(value).__name__} is not JSON")


def _number(text: str) -> float | Decimal:
    """A number with a point or exponent: the float it was written from, else (a ``Decimal``
    stored as a number by an older version) the exact ``Decimal``.

    Configuration content gives back what the file held (a YAML ``0.5`` is a float); no
    amount of money is read here (docs/trading-rules.md, "Configuration versions")."""
    number = float(text)
    if math.isfinite(number) and _float_text(number) == text:
        return number
    return Decimal(text)


def parse_canonical(text: str) -> Any:
    """JSON text read back as the domain keeps content (see the module docstring)."""
    return json.loads(text, parse_float=_number)


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
        cls,
        content: Mapping[str, Any],
        loaded_at: datetime | None = None,
        *,
        redact_keys: Iterable[str] = DEFAULT_SECRET_KEYS,
    ) -> Configuration:
        """A new, inactive version of ``content`` (secrets redacted) with its canonical hash."""
        if not isinstance(content, Mapping):
            raise InvalidValueError("config_content", "must be a mapping")
        text = canonical_json(redact_json(to_json(content, "config_content"), redact_keys))
        kwargs: dict[str, Any] = {} if loaded_at is None else {"loaded_at": loaded_at}
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        return cls(config_hash=digest, config_content=parse_canonical(text), **kwargs)

    def matches_content(self) -> bool:
        """True when ``config_hash`` is the hash of ``config_content`` (detects tampering)."""
        try:
            if self.config_hash == config_hash(self.config_content):
                return True
            legacy = _legacy_canonical(self.config_content)
        except InvalidValueError:
            return False
        if self.config_hash == hashlib.sha256(legacy.encode("utf-8")).hexdigest():
            return True
        return self.config_hash == _legacy_hash(self.config_content)
