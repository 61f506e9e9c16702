"""Redaction: secrets by key at any depth, credentials by shape in text; what is kept."""

from __future__ import annotations

import json
import logging
import sys
from typing import Any

import pytest

from gal_friday.domain import EventLog, Log, SystemLog, json_safe
from gal_friday.domain.logs import CYCLE, MAX_DEPTH, TOO_DEEP
from gal_friday.domain.redaction import DEFAULT_SECRET_KEYS, REDACTED, redactor, scrub_text
from tests.support.secret_shapes import ALL_SHAPES, CONTEXT_SHAPES, TEXT_SHAPES, secret_for


def _record(message: str, args: tuple, extra: dict, exc: BaseException | None):
    info = None
    if exc is not None:
        try:
            raise exc
        except BaseException:
            info = sys.exc_info()
    logger = logging.getLogger("gf.redaction")
    return logger.makeRecord(
        logger.name, logging.ERROR, __file__, 1, message, args, info, extra=extra
    )


def _stored_text(log: Log) -> str:
    return " ".join([log.message, json.dumps(log.context_json), log.exception_text or ""])


def test_every_shape_is_redacted_none_stored_in_clear():
    assert len(CONTEXT_SHAPES) >= 20 and len(TEXT_SHAPES) >= 10
    in_clear = []
    for index, (name, shape) in enumerate(ALL_SHAPES.items()):
        secret = secret_for(index)
        log = Log.from_record(_record(*shape(secret)))
        if secret in _stored_text(log):
            in_clear.append(name)
    assert in_clear == []


def test_what_is_not_secret_is_kept():
    log = Log.from_record(
        _record(
            "order %s filled at %s",
            ("O-1", "0.5"),
            {"pair": "XRP/USD", "headers": {"API-Sign": "s", "Content-Type": "json"}, "n": 3},
            None,
        )
    )
    assert log.message == "order O-1 filled at 0.5"
    assert log.context_json == {
        "pair": "XRP/USD",
        "headers": {"API-Sign": REDACTED, "Content-Type": "json"},
        "n": 3,
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("postgresql://trader:pw@db:5432/gal", "postgresql://trader:***@db:5432/gal"),
        ("redis://:p@ss@cache/0", "redis://:***@cache/0"),
        (
            "https://api.example/v1?user=a&password=x&y=2",
            "https://api.example/v1?user=a&password=***&y=2",
        ),
        ("Authorization: Bearer abc.def.ghi", "Authorization: ***"),
        ("API-Sign: abc+/==", "API-Sign: ***"),
        ("{'API-Key': 'k', 'nonce': 5}", "{'API-Key': ***, 'nonce': 5}"),
        ('{"token": "t t", "n": 1}', '{"token": ***, "n": 1}'),
        ("host=db password=x dbname=gal", "host=db password=*** dbname=gal"),
        ("filled 10 XRP at 0.52 on kraken", "filled 10 XRP at 0.52 on kraken"),
        ("http://example.com:8080/path@x", "http://example.com:8080/path@x"),
        ("time 12:30:45 ratio=0.5", "time 12:30:45 ratio=0.5"),
    ],
)
def test_scrub_text(text, expected):
    assert scrub_text(text) == expected


def test_key_matching_is_by_word_in_any_case_and_spelling():
    rules = redactor()
    for key in [
        "API-Sign",
        "api_sign",
        "ApiSign",
        "X-API-KEY",
        "apiKey",
        "DB_PASSWORD",
        "kraken_api_secret",
        "Authorization",
        "sessionId",
        "refresh_token",
    ]:
        assert rules.is_secret_key(key), key
    for key in ["pair", "quantity", "price", "side", "exchange", "order_id", "nonce"]:
        assert not rules.is_secret_key(key), key


def test_the_list_is_extensible():
    words = DEFAULT_SECRET_KEYS | {"otp"}
    assert json_safe({"otp_code": "123456", "password": "p"}, words) == {
        "otp_code": REDACTED,
        "password": REDACTED,
    }
    assert scrub_text("otp=123456", words) == "otp=***"
    assert json_safe({"otp_code": "123456"}) == {"otp_code": "123456"}


def test_nesting_is_walked_without_recursion_and_capped():
    deep: Any = {"password": "p", "keep": 1}
    for _ in range(MAX_DEPTH - 2):
        deep = [deep]
    assert json.dumps(json_safe({"x": deep})).count(REDACTED) == 1
    very_deep: Any = "leaf"
    for _ in range(100_000):  # far beyond Python's recursion limit
        very_deep = {"d": very_deep}
    safe = json_safe(very_deep)
    depth = 0
    while isinstance(safe, dict):
        safe = safe["d"]
        depth += 1
    assert depth == MAX_DEPTH
    assert safe == TOO_DEEP


def test_cycles_are_replaced_not_followed():
    cyclic: dict[str, Any] = {"a": 1}
    cyclic["self"] = cyclic
    shared = {"v": 1}
    assert json_safe({"c": cyclic, "x": shared, "y": shared}) == {
        "c": {"a": 1, "self": CYCLE},
        "x": {"v": 1},
        "y": {"v": 1},
    }


def test_system_log_message_context_and_stack_are_redacted():
    try:
        raise ConnectionError("cannot reach postgresql://u:hunter22@db/gal")
    except ConnectionError as exc:
        entry = SystemLog.from_exception(
            "feed", "login password=hunter22 failed", exc, context={"API-Key": "k"}
        )
    assert "hunter22" not in entry.message
    assert "hunter22" not in (entry.stack_trace or "")
    assert entry.context == {"API-Key": REDACTED}


def test_event_payloads_are_redacted():
    event = EventLog(
        event_type="LOGIN",
        payload={"user": "ann", "auth": {"token": "t"}, "url": "wss://u:pw1234@ws.kraken.com"},
        source="tests",
    )
    assert event.payload == {"user": "ann", "auth": REDACTED, "url": "wss://u:***@ws.kraken.com"}
