"""Configuration versions, identified by the SHA-256 of their canonical JSON.

``config_hash`` is the hex SHA-256 of ``json.dumps(content, sort_keys=True,
separators=(",", ":"), ensure_ascii=False)`` encoded as UTF-8. Content must
be JSON-native (dicts with string keys, lists, strings, numbers, booleans,
null); NaN and infinities are refused because they are not JSON.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import attrs

from gal_friday.domain import values as v
from gal_friday.domain.errors import InvalidValueError


def canonical_json(content: Mapping[str, Any]) -> str:
    """The canonical JSON text of ``content``."""
    try:
        return json.dumps(
            content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
        )
    except (TypeError, ValueError) as exc:
        raise InvalidValueError("config_content", f"is not JSON-serialisable: {exc}") from None


def config_hash(content: Mapping[str, Any]) -> str:
    """SHA-256 hex digest of the canonical JSON of ``content``."""
    return hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()


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
        plain = json.loads(canonical_json(content))
        kwargs: dict[str, Any] = {} if loaded_at is None else {"loaded_at": loaded_at}
        return cls(config_hash=config_hash(plain), config_content=plain, **kwargs)

    def matches_content(self) -> bool:
        """True when ``config_hash`` is the hash of ``config_content`` (detects tampering)."""
        return self.config_hash == config_hash(self.config_content)
