"""The quick checks of the import's hot path give exactly what the full checks give:
values.plain_amount (the same Decimal, digit for digit, whenever it accepts a text; every
other text is left to the full checks), non_empty's quick path for plain text, and the
cached pair and asset checks."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from gal_friday.domain import values
from gal_friday.domain.errors import InvalidValueError
from gal_friday.domain.values import (
    commission,
    money,
    non_empty,
    plain_amount,
    trading_pair,
    upper_code,
)
from gal_friday.importers.common import parse_decimal

#: Texts near the pattern's edges: digits, points, signs, exponents, spaces, zeros.
near_amounts = st.text(alphabet="0123456789.-+eE ", max_size=45) | st.from_regex(
    r"\A0*[0-9]{0,22}(\.[0-9]{0,20})?\Z"
)


def _full(text: str, check: object) -> Decimal | str:
    try:
        return check(parse_decimal(text, "x"), "x")  # type: ignore[operator, no-any-return]
    except InvalidValueError as exc:
        return f"refused: {exc}"


@given(near_amounts)
@example("0")
@example("0.000")
@example("99999999999999999999.999999999999999999")
@example("100000000000000000000")
@example("0.0000000000000000001")
@example("1.50")
@example(" 1")
@example("1e5")
def test_an_accepted_text_is_what_the_full_checks_make(text):
    quick = plain_amount(text)
    if quick is None:
        return
    for check in (money, commission):
        full = _full(text, check)
        assert isinstance(full, Decimal), full
        assert (str(quick), quick.as_tuple()) == (str(full), full.as_tuple())


@pytest.mark.parametrize(
    "text",
    ["0", "0.00", "-1", "+1", " 1", "1 ", "1e5", "1.", ".5", "1" * 21, "0." + "0" * 18 + "1"],
)
def test_what_it_leaves_to_the_full_checks(text):
    assert plain_amount(text) is None


def test_a_plain_amount_keeps_its_digits():
    assert str(plain_amount("0.0100")) == "0.0100"
    assert plain_amount("42000") == Decimal(42000)


class _Text(str):
    """A str subclass: non_empty takes its full path for it, never the quick one."""

    __slots__ = ()


def _outcome(check: object, value: str, *args: object) -> str:
    try:
        return f"ok {check(value, 'x', *args)!r}"  # type: ignore[operator]
    except InvalidValueError as exc:
        return f"refused {exc}"


@given(st.text(max_size=140) | st.from_regex(r"\A[ -~]{0,130}\Z"), st.sampled_from([16, 32, 128]))
@example("T1", 128)
@example(" T1", 128)
@example("T1\t", 128)
@example("a" * 129, 128)
@example("", 16)
@example("\x00", 16)
def test_non_empty_gives_what_its_full_checks_give(text, limit):
    quick = _outcome(lambda v, f: non_empty(v, f, max_length=limit), text)
    full = _outcome(lambda v, f: str(non_empty(_Text(v), f, max_length=limit)), text)
    assert quick == full


@given(st.text(alphabet="abcXYZ/ -09\x00", max_size=12))
def test_cached_pairs_and_codes_are_checked_as_ever(text):
    for check, full in (
        (trading_pair, values._trading_pair_uncached),
        (upper_code, values._upper_code_uncached),
    ):
        first, again = _outcome(check, text), _outcome(check, text)
        assert first == again == _outcome(full, text)
