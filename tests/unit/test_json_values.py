"""The one JSON encoding of every JSON field (docs/payloads.md)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from enum import StrEnum
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gal_friday.domain import InvalidValueError, Signal
from gal_friday.domain.json_values import (
    JSONValueError,
    decimal_from_json,
    json_document,
    to_json,
)


class _Float32:
    """Quacks like ``numpy.float32(61.2)`` (its type's module is numpy)."""

    ndim = 0

    def item(self) -> float:
        return 61.20000076293945

    def __str__(self) -> str:
        return "61.2"


class _Int64:
    ndim = 0

    def item(self) -> int:
        return 7


class _Array:
    ndim = 1


for _fake in (_Float32, _Int64, _Array):
    _fake.__module__ = "numpy"


class Side(StrEnum):
    BUY = "BUY"


values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.text()
    | st.decimals(allow_nan=False, allow_infinity=False),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


def _restore(original: Any, stored: Any) -> Any:
    """``stored`` read back where the domain expects what ``original`` holds."""
    if isinstance(original, Decimal):
        return decimal_from_json(stored, "x")
    if isinstance(original, dict):
        return {key: _restore(original[key], stored[key]) for key in original}
    if isinstance(original, list):
        return [_restore(a, b) for a, b in zip(original, stored, strict=True)]
    return stored


def _same(a: Any, b: Any) -> bool:
    """Equal with the same types, and Decimals with the same digits and scale."""
    if type(a) is not type(b):
        return False
    if isinstance(a, Decimal):
        return a.as_tuple() == b.as_tuple()
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


@given(values)
def test_any_nested_structure_round_trips_exactly_through_json_text(value):
    stored = json.loads(json.dumps(to_json(value, "payload")))
    assert stored == to_json(value, "payload")  # plain JSON values: the text changes nothing
    assert _same(_restore(value, stored), value)


@given(st.decimals(allow_nan=False, allow_infinity=False))
def test_a_decimal_is_a_string_of_its_exact_digits(amount):
    text = to_json(amount, "x")
    assert isinstance(text, str)
    assert Decimal(text).as_tuple() == amount.as_tuple()


def test_the_documented_forms():
    when = datetime(2024, 1, 1, 2, tzinfo=timezone(timedelta(hours=2)))
    assert to_json(
        {
            "price": Decimal("61.20"),
            "tiny": Decimal("1E-7"),
            "big": Decimal("1E+3"),
            "when": when,
            "day": date(2024, 1, 2),
            "id": uuid.UUID(int=1),
            "side": Side.BUY,
            "pair": ("XRP/USD", 1.5),
            "p32": _Float32(),
            "n64": _Int64(),
        },
        "payload",
    ) == {
        "price": "61.20",
        "tiny": "0.0000001",
        "big": "1E+3",
        "when": "2024-01-01T00:00:00+00:00",
        "day": "2024-01-02",
        "id": "00000000-0000-0000-0000-000000000001",
        "side": "BUY",
        "pair": ["XRP/USD", 1.5],
        "p32": 61.2,
        "n64": 7,
    }


def test_real_numpy_scalars_are_numbers():
    import numpy as np

    encoded = to_json({"p": np.float32(61.2), "q": np.int64(3), "ok": np.bool_(True)}, "x")
    assert encoded == {"p": 61.2, "q": 3, "ok": True}
    assert [type(encoded[k]) for k in ("p", "q", "ok")] == [float, int, bool]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"limits": [1, 2, {"max": {3}}]}, r"^risk_check_details\.limits\[2\]\.max: a set is not"),
        ({"at": datetime(2024, 1, 1)}, r"^risk_check_details\.at: datetime .* has no time zone"),
        ({"x": float("inf")}, r"^risk_check_details\.x: inf is not a JSON number"),
        ({"x": Decimal("NaN")}, r"^risk_check_details\.x: Decimal NaN is not a finite"),
        ({"x": b"raw"}, r"^risk_check_details\.x: bytes is not JSON"),
        ({"x": _Array()}, r"^risk_check_details\.x: a numpy _Array is not JSON"),
        ({"x": object()}, r"^risk_check_details\.x: a builtins\.object is not JSON"),
        ({"my key": {1: "a"}}, r"^risk_check_details\['my key'\]: key 1 is a int, not a string"),
    ],
)
def test_a_value_without_an_encoding_is_refused_naming_the_field_and_path(value, message):
    with pytest.raises(JSONValueError, match=message):
        json_document(value, "risk_check_details")


def test_depth_is_bounded():
    deep: Any = 1
    for _ in range(200):
        deep = [deep]
    with pytest.raises(JSONValueError, match="nests deeper than"):
        to_json(deep, "x")


def test_a_signal_encodes_its_json_fields_when_set_and_refuses_naming_the_path():
    signal = Signal(
        trading_pair="XRP/USD",
        exchange="kraken",
        strategy_id="s",
        side="BUY",
        entry_type="MARKET",
        prediction_value={"p": _Float32(), "at": datetime(2024, 1, 1, tzinfo=UTC)},
    )
    assert signal.prediction_value == {"p": 61.2, "at": "2024-01-01T00:00:00+00:00"}
    signal.approve({"max_risk": Decimal("0.02")})
    assert signal.risk_check_details == {"max_risk": "0.02"}
    with pytest.raises(InvalidValueError, match=r"^risk_check_details\.limits\[0\]: a set"):
        signal.risk_check_details = {"limits": [{1}]}


def test_decimal_from_json_refuses_what_is_not_a_decimal():
    assert decimal_from_json("0.10", "fee").as_tuple() == Decimal("0.10").as_tuple()
    for bad in (1.5, True, None, "abc", "NaN"):
        with pytest.raises(InvalidValueError, match="^fee: "):
            decimal_from_json(bad, "fee")
