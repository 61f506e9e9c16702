"""values.plain_amount, the import's quick check of an amount, gives exactly what the full
checks give (the same Decimal, digit for digit) whenever it accepts a text, and leaves
every other text to them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from gal_friday.domain.errors import InvalidValueError
from gal_friday.domain.values import commission, money, plain_amount
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
