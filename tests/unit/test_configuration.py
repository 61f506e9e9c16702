"""Configuration hashing (trading-rules.md, "Configuration versions")."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal

import pytest

from domain import Configuration, InvalidValueError, config_hash


def test_the_hash_is_sha256_of_the_canonical_json():
    content = {"risk": {"max": 3, "pairs": ["XRP/USD"]}, "name": "café"}
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert config_hash(content) == hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    assert "café" in canonical


def test_key_order_does_not_matter_content_does():
    assert config_hash({"a": 1, "b": 2}) == config_hash({"b": 2, "a": 1})
    assert config_hash({"a": 1}) != config_hash({"a": 2})


def test_from_content_builds_an_inactive_version_with_its_hash():
    version = Configuration.from_content({"x": [1, 2]})
    assert version.config_hash == config_hash({"x": [1, 2]})
    assert version.is_active is False
    assert version.matches_content()


@pytest.mark.parametrize("bad", [{"x": Decimal("1")}, {"x": float("nan")}, {"x": object()}])
def test_content_that_is_not_json_is_a_clear_error(bad):
    with pytest.raises(InvalidValueError, match="config_content"):
        Configuration.from_content(bad)
