"""Configuration hashing (docs/trading-rules.md, "Configuration versions")."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from gal_friday.domain import Configuration, InvalidValueError, canonical_json, config_hash
from gal_friday.domain.configuration import parse_canonical


def rule(content: object) -> str:
    """The hash exactly as docs/trading-rules.md words it."""
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@pytest.mark.parametrize(
    "content",
    [
        {},
        {"risk": {"max": 3, "pairs": ["XRP/USD"]}, "name": "café"},
        {"b": [3, 1, 2], "a": {"z": None, "y": True, "x": 0.25}},
        {"emoji": "🚀", "cjk": "取引", "quote": 'say "hi"\n', "tab": "\t"},
    ],
)
def test_the_hash_is_sha256_of_the_canonical_json(content):
    assert config_hash(content) == rule(content)


def test_the_canonical_text_itself():
    content = {"b": 1, "a": {"d": [1, 2], "c": "é"}}
    assert canonical_json(content) == '{"a":{"c":"é","d":[1,2]},"b":1}'


def test_a_known_digest_computed_from_bytes():
    # '{"a":1,"b":"é"}' in UTF-8, written out byte by byte, not through json.dumps
    raw = b'{"a":1,"b":"\xc3\xa9"}'
    assert config_hash({"b": "é", "a": 1}) == hashlib.sha256(raw).hexdigest()


def test_non_ascii_is_hashed_as_utf8_not_as_escapes():
    content = {"name": "café"}
    escaped = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    assert "\\u00e9" in escaped
    assert config_hash(content) != hashlib.sha256(escaped.encode("utf-8")).hexdigest()
    assert config_hash(content) == hashlib.sha256('{"name":"café"}'.encode()).hexdigest()


def test_key_order_does_not_matter_at_any_depth():
    assert config_hash({"a": 1, "b": 2}) == config_hash({"b": 2, "a": 1})
    assert config_hash({"x": {"p": 1, "q": [{"m": 1, "n": 2}]}}) == config_hash(
        {"x": {"q": [{"n": 2, "m": 1}], "p": 1}}
    )


@pytest.mark.parametrize(
    "other",
    [
        {"a": 2},
        {"a": "1"},
        {"a": 1.0},
        {"a": [1]},
        {"a": 1, "b": None},
        {"A": 1},
        {"a": True},
    ],
)
def test_different_content_gives_a_different_hash(other):
    assert config_hash({"a": 1}) != config_hash(other)


def test_list_order_matters():
    assert config_hash({"pairs": ["A/B", "C/D"]}) != config_hash({"pairs": ["C/D", "A/B"]})


def test_from_content_builds_an_inactive_version_with_its_hash():
    version = Configuration.from_content({"x": [1, 2]})
    assert version.config_hash == config_hash({"x": [1, 2]})
    assert version.config_content == {"x": [1, 2]}
    assert version.is_active is False
    assert version.loaded_at.tzinfo is UTC
    assert version.matches_content()


def test_from_content_copies_to_plain_json():
    source = {"pairs": ("XRP/USD",), "limits": {"max": 3}}
    version = Configuration.from_content(source)
    source["limits"]["max"] = 99
    assert version.config_content == {"pairs": ["XRP/USD"], "limits": {"max": 3}}
    assert version.matches_content()


def test_from_content_takes_an_aware_load_time_in_utc():
    plus_two = timezone(timedelta(hours=2))
    version = Configuration.from_content({}, datetime(2024, 1, 1, 2, tzinfo=plus_two))
    assert version.loaded_at == datetime(2024, 1, 1, tzinfo=UTC)
    with pytest.raises(InvalidValueError, match="^loaded_at: .*naive"):
        Configuration.from_content({}, datetime(2024, 1, 1))


def test_tampered_content_no_longer_matches_its_hash():
    version = Configuration.from_content({"risk": {"max": 3}})
    version.config_content["risk"]["max"] = 4
    assert not version.matches_content()


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        ({"x": Decimal("NaN")}, r"^config_content\.x: Decimal NaN is not a finite number"),
        ({"x": float("nan")}, r"^config_content\.x: nan is not a JSON number"),
        ({"x": [1, float("-inf")]}, r"^config_content\.x\[1\]: -inf is not a JSON number"),
        ({"x": object()}, r"^config_content\.x: a builtins\.object is not JSON"),
        ({"x": {"y": {1, 2}}}, r"^config_content\.x\.y: a set is not JSON"),
        ({"x": datetime(2024, 1, 1)}, r"^config_content\.x: datetime 2024-01-01T00:00:00 has no"),
        ({1: "a", "b": 2}, r"^config_content: key 1 is a int, not a string"),
    ],
)
def test_content_that_is_not_json_is_a_clear_error_naming_its_path(bad, reason):
    with pytest.raises(InvalidValueError, match=reason):
        Configuration.from_content(bad)
    with pytest.raises(InvalidValueError, match=reason):
        config_hash(bad)


@pytest.mark.parametrize("bad", [["a"], "a: 1", None])
def test_content_must_be_a_mapping(bad):
    with pytest.raises(InvalidValueError, match="^config_content: must be a mapping"):
        Configuration.from_content(bad)


def test_decimals_are_hashed_as_strings_of_their_plain_digits_and_scale():
    assert canonical_json({"a": Decimal("1.50"), "b": Decimal("1E-7"), "c": 2.5e3}) == (
        '{"a":"1.50","b":"0.0000001","c":2500.0}'
    )
    assert canonical_json({"big": 2.5e300}) == '{"big":25' + "0" * 299 + ".0}"
    assert canonical_json({"z": Decimal("-0.00"), "i": 2**70}) == (
        '{"i":1180591620717411303424,"z":"-0.00"}'
    )
    version = Configuration.from_content({"fee": Decimal("0.0026"), "big": 2.5e300})
    assert version.config_content == {"fee": "0.0026", "big": 2.5e300}
    assert isinstance(version.config_content["big"], float)
    assert version.matches_content()


def test_floats_dates_and_decimals_read_back_as_given_or_as_iso_and_decimal_text():
    from datetime import date

    content = {"ratio": 0.1, "one": 1.0, "n": 3, "day": date(2024, 1, 2), "fee": Decimal("0.26")}
    version = Configuration.from_content(content)
    assert version.config_content == {
        "ratio": 0.1,
        "one": 1.0,
        "n": 3,
        "day": "2024-01-02",
        "fee": "0.26",
    }
    assert [type(version.config_content[k]) for k in ("ratio", "one", "n")] == [float, float, int]
    assert Decimal(version.config_content["fee"]) == Decimal("0.26")


def test_a_version_stored_with_decimals_as_numbers_still_verifies():
    text = '{"fee":1.50,"ratio":0.1}'  # as the version before the JSON encoding stored it
    stored = Configuration(
        config_hash=hashlib.sha256(text.encode()).hexdigest(),
        config_content=parse_canonical(text),
    )
    assert stored.config_content == {"fee": Decimal("1.50"), "ratio": 0.1}
    assert stored.matches_content()


def test_secrets_in_content_are_redacted_as_in_logs():
    version = Configuration.from_content(
        {
            "database": {"url": "postgresql://bot:hunter2@db/gal", "password": "hunter2"},
            "kraken": {"api_secret": "abc", "pairs": ["XRP/USD"]},
        }
    )
    assert version.config_content == {
        "database": {"url": "postgresql://bot:***@db/gal", "password": "***"},
        "kraken": {"api_secret": "***", "pairs": ["XRP/USD"]},
    }
    assert "hunter2" not in canonical_json(version.config_content)
    assert version.matches_content()


def test_a_version_hashed_before_canonical_numbers_still_verifies():
    legacy = rule({"step": 1e-07, "x": 0.5})  # floats by repr: "1e-07"
    read_back = Configuration(
        config_hash=legacy, config_content={"step": Decimal("1E-7"), "x": Decimal("0.5")}
    )
    assert read_back.matches_content()
    tampered = Configuration(
        config_hash=legacy, config_content={"step": Decimal("2E-7"), "x": Decimal("0.5")}
    )
    assert not tampered.matches_content()
