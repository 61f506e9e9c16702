"""Boundary checks for money, time, identifiers and trading pairs.

Money is ``Decimal``: ``float``, ``bool``, NaN and infinities are refused with an
error naming the field. Stored amounts have at most 18 decimal places and 38
digits in all (``Numeric(38, 18)``); an input with more is an error, never a
silent rounding. Values the domain *computes* (averages, percentages) are
rounded to 18 places, half-even, by :func:`quantize_computed`.

Timestamps must be timezone-aware; they are converted to UTC.
(docs/trading-rules.md, "Money and time")

Text is what both databases store alike: no NUL character and no lone UTF-16
surrogate (PostgreSQL refuses both, SQLite would keep them), and no longer than
its column (:data:`EXTERNAL_ID_LENGTH`, :data:`EXCHANGE_LENGTH`, ...; a test
holds these equal to the schema's). Exchange ids are normalised to ccxt's form
(:func:`exchange_id`). Values quoted in an error message are cut to
:data:`SHOWN_LENGTH` characters (:func:`shown`).
"""

from __future__ import annotations

import decimal
import functools
import re
import unicodedata
import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, TypeVar

import attrs

from gal_friday.domain.errors import InvalidValueError

MONEY_SCALE = 18
MONEY_PRECISION = 38
_QUANTUM = Decimal(1).scaleb(-MONEY_SCALE)
_ZERO = Decimal(0)
_ONE = Decimal(1)
_MAX_INTEGER_DIGITS = MONEY_PRECISION - MONEY_SCALE
ARITHMETIC_PRECISION = 80

E = TypeVar("E", bound=StrEnum)


#: Wide enough that sums and products of stored values are exact; rounds half-even.
EXACT_CONTEXT = decimal.Context(
    prec=ARITHMETIC_PRECISION,
    rounding=decimal.ROUND_HALF_EVEN,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)


def exact() -> AbstractContextManager[decimal.Context]:
    """A local decimal context wide enough that sums and products of stored values are exact."""
    return decimal.localcontext(EXACT_CONTEXT)


def to_decimal(value: object, field: str) -> Decimal:
    """Convert an int, str or Decimal to a finite Decimal; refuse floats, bools and the rest."""
    if isinstance(value, (bool, float)):
        raise InvalidValueError(
            field, f"must be a Decimal, not {type(value).__name__} {shown(value)}"
        )
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except decimal.InvalidOperation:
            raise InvalidValueError(field, f"{shown(value)} is not a decimal number") from None
    else:
        raise InvalidValueError(field, f"must be a Decimal, not {type(value).__name__}")
    if not result.is_finite():
        raise InvalidValueError(field, f"must be finite, got {result}")
    return result


def check_storable(value: Decimal, field: str) -> Decimal:
    """Refuse a Decimal that ``Numeric(38, 18)`` cannot hold exactly."""
    _sign, digits, exponent = value.as_tuple()
    if not isinstance(exponent, int):  # NaN or an infinity
        raise InvalidValueError(field, f"{value} is not a finite number")
    if len(digits) > ARITHMETIC_PRECISION:
        raise InvalidValueError(
            field, f"is written with {len(digits)} digits; at most {ARITHMETIC_PRECISION} are read"
        )
    places = max(0, -exponent)
    if places > MONEY_SCALE:
        normalized = EXACT_CONTEXT.normalize(value)
        n_exp = normalized.as_tuple().exponent
        if not isinstance(n_exp, int):
            raise InvalidValueError(field, f"{value} is not a finite number")
        if -n_exp > MONEY_SCALE:
            raise InvalidValueError(field, f"{value} has more than {MONEY_SCALE} decimal places")
        value = normalized
    integer_digits = value.adjusted() + 1
    if integer_digits > _MAX_INTEGER_DIGITS:
        raise InvalidValueError(
            field, f"{value} has more than {_MAX_INTEGER_DIGITS} digits before the point"
        )
    return value


def money(
    value: object, field: str, *, allow_zero: bool = False, allow_negative: bool = False
) -> Decimal:
    """A storable Decimal amount, positive unless zero or negative values are allowed."""
    result = check_storable(to_decimal(value, field), field)
    if result < 0 and not allow_negative:
        raise InvalidValueError(field, f"must not be negative, got {result}")
    if result == 0 and not (allow_zero or allow_negative):
        raise InvalidValueError(field, "must be greater than zero")
    if result == 0:
        result = Decimal(0)  # drop a negative zero's sign
    return result


#: A plain positive amount that ``Numeric(38, 18)`` holds as written: at most 20 digits before
#: the point and 18 after it, no sign, exponent, spaces or leading/trailing point.
_PLAIN_AMOUNT = re.compile(r"[0-9]{1,20}(?:\.[0-9]{1,18})?")


def plain_amount(text: str) -> Decimal | None:
    """``money(text)`` (and ``commission(text)``) for the common case, checked at once: a
    plain amount above zero (:data:`_PLAIN_AMOUNT`); ``None`` for anything else, which the
    full checks then decide (with their messages)."""
    if _PLAIN_AMOUNT.fullmatch(text) is None:
        return None
    amount = Decimal(text)
    return amount if amount else None  # a zero is money()'s to refuse or to normalise


def tidy(value: Decimal) -> Decimal:
    """Drop trailing zeros without switching to exponent notation (``100``, not ``1E+2``)."""
    if not value:
        return _ZERO
    result = EXACT_CONTEXT.normalize(value)
    if result == result.to_integral_value():  # normalize wrote 100 as 1E+2
        return EXACT_CONTEXT.quantize(result, _ONE)
    return result


def quantize_computed(value: Decimal) -> Decimal:
    """Round a computed value to the stored scale (18 places, half-even)."""
    return tidy(EXACT_CONTEXT.quantize(value, _QUANTUM))


_STORABLE_LIMIT = Decimal(10) ** _MAX_INTEGER_DIGITS


def computed_amount(value: Decimal, field: str, *, positive: bool = False) -> Decimal:
    """:func:`quantize_computed`, refusing a result ``Numeric(38, 18)`` cannot hold.

    With ``positive=True`` a result that is not above zero (after rounding) is refused too.
    """
    try:
        result = quantize_computed(value)
    except decimal.InvalidOperation:
        raise InvalidValueError(field, f"{value} is too large to store") from None
    if abs(result) >= _STORABLE_LIMIT:
        raise InvalidValueError(
            field, f"{result} has more than {_MAX_INTEGER_DIGITS} digits before the point"
        )
    if positive and result <= 0:
        raise InvalidValueError(field, f"must be greater than zero, got {result}")
    return result


def utc(value: object, field: str) -> datetime:
    """An aware datetime converted to UTC; a naive one is an error."""
    if not isinstance(value, datetime):
        raise InvalidValueError(field, f"must be a datetime, not {type(value).__name__}")
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise InvalidValueError(
            field, f"{value.isoformat()} is naive; give a timezone-aware UTC time"
        )
    try:
        return value.astimezone(UTC)
    except OverflowError:  # 9999-12-31T23:00-05:00 is past datetime.max in UTC
        raise InvalidValueError(field, f"{value.isoformat()} is out of range in UTC") from None


def optional_utc(value: object, field: str) -> datetime | None:
    """Like :func:`utc`, letting ``None`` through."""
    return None if value is None else utc(value, field)


def enum_value(enum: type[E], value: object, field: str) -> E:
    """Convert a string to a member of ``enum``; the error lists the allowed values."""
    if isinstance(value, enum):
        return value
    if isinstance(value, str):
        try:
            return enum(value.strip().upper())
        except ValueError:
            pass
    allowed = ", ".join(member.value for member in enum)
    raise InvalidValueError(field, f"{shown(value)} is not one of {allowed}")


def to_uuid(value: object, field: str) -> uuid.UUID:
    """A UUID from a UUID or its string form."""
    if isinstance(value, uuid.UUID):
        return value
    if isinstance(value, str):
        try:
            return uuid.UUID(value)
        except ValueError:
            pass
    raise InvalidValueError(field, f"{shown(value)} is not a UUID")


#: Column widths the domain's text limits equal (``persistence.tables`` uses the same figures).
EXTERNAL_ID_LENGTH = 128
EXCHANGE_LENGTH = 64
PAIR_LENGTH = 32
ASSET_LENGTH = 16
NAME_LENGTH = 255
#: How many characters of a value an error message quotes.
SHOWN_LENGTH = 80

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_EXCHANGE_SEPARATORS = re.compile(r"[\s._-]+")
_EXCHANGE_ID = re.compile(r"[a-z0-9]+")


def shown(value: object, limit: int = SHOWN_LENGTH) -> str:
    """``repr(value)`` for an error message, cut to ``limit`` characters with an ellipsis."""
    if isinstance(value, str):
        value = value[:limit]  # repr of the head only: a huge value is never copied whole
    try:
        text = repr(value)
    except RecursionError:
        return f"<a {type(value).__name__} nested too deeply to show>"
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def storable_text(value: str, field: str) -> str:
    """``value`` unchanged, unless it holds a character a database cannot store alike."""
    bad = _UNSTORABLE.search(value)
    if bad is not None:
        what = "a NUL character" if bad.group() == "\x00" else "a lone UTF-16 surrogate"
        raise InvalidValueError(
            field, f"{shown(value)} holds {what} (at {bad.start()}), which cannot be stored"
        )
    return value


#: Printable ASCII without a space at either end: text that :func:`non_empty` keeps as it is.
_PLAIN_TEXT = re.compile(r"[!-~](?:[ -~]*[!-~])?")


def non_empty(value: object, field: str, *, max_length: int = NAME_LENGTH) -> str:
    """A stripped, non-empty, storable string of bounded length."""
    if type(value) is str and len(value) <= max_length and _PLAIN_TEXT.fullmatch(value):
        return value  # the common case, checked at once: the steps below would return it
    if not isinstance(value, str) or not value.strip():
        raise InvalidValueError(field, "must be a non-empty string")
    text = storable_text(value.strip(), field)
    if len(text) > max_length:
        raise InvalidValueError(
            field, f"{shown(text)} is longer than {max_length} characters ({len(text)})"
        )
    return text


def external_id(value: object, field: str) -> str:
    """An id given by the outside world (fill, order, strategy): at most 128 characters."""
    return non_empty(value, field, max_length=EXTERNAL_ID_LENGTH)


def exchange_id(value: object, field: str = "exchange") -> str:
    """An exchange id in ccxt's form: ``Kraken``, ``kraken`` and `` KRAKEN `` are ``kraken``.

    Lower case, with spaces, dots, dashes and underscores dropped (``Binance US`` ->
    ``binanceus``, ``Crypto.com`` -> ``cryptocom``); what is left must be letters and
    digits, at most 64 characters.
    """
    if isinstance(value, str):
        return _exchange_id(value, field)  # one spelling is seen again and again: cached
    return _exchange_id_uncached(value, field)


def _exchange_id_uncached(value: object, field: str) -> str:
    text = non_empty(value, field, max_length=EXCHANGE_LENGTH)
    normalized = _EXCHANGE_SEPARATORS.sub("", text.lower())
    if not _EXCHANGE_ID.fullmatch(normalized):
        raise InvalidValueError(
            field, f"{shown(text)} is not an exchange id (letters and digits, as ccxt's: kraken)"
        )
    return normalized


_exchange_id = functools.lru_cache(maxsize=256)(_exchange_id_uncached)


def trading_pair(value: object, field: str = "trading_pair") -> str:
    """A ``BASE/QUOTE`` pair in upper case."""
    if isinstance(value, str):
        return _trading_pair(value, field)  # a file names a few pairs again and again: cached
    return _trading_pair_uncached(value, field)


def _trading_pair_uncached(value: object, field: str) -> str:
    text = non_empty(value, field, max_length=PAIR_LENGTH).upper()
    base, sep, quote = text.partition("/")
    if not sep or not base or not quote or "/" in quote:
        raise InvalidValueError(field, f"{shown(value)} is not of the form BASE/QUOTE")
    _check_code_characters(text, field, allowed="/")
    return text


_trading_pair = functools.lru_cache(maxsize=256)(_trading_pair_uncached)


def split_pair(pair: str) -> tuple[str, str]:
    """``"BTC/USD"`` -> ``("BTC", "USD")``."""
    base, _, quote = pair.partition("/")
    return base, quote


def commission(value: object, field: str) -> Decimal:
    """A storable commission of any sign: a negative one is a rebate (a maker's income)."""
    return money(value, field, allow_negative=True)


def money_or_zero(value: object, field: str) -> Decimal:
    """A storable amount that may be zero but not negative (commissions, percentages)."""
    return money(value, field, allow_zero=True)


def signed_money(value: object, field: str) -> Decimal:
    """A storable amount of any sign (PnL)."""
    return money(value, field, allow_negative=True)


def enum_of(enum: type[E]) -> Callable[[object, str], E]:
    """A check converting strings to members of ``enum``."""

    def check_enum(value: object, field: str) -> E:
        return enum_value(enum, value, field)

    return check_enum


def upper_code(value: object, field: str) -> str:
    """A short upper-case code (an asset, a log level)."""
    if isinstance(value, str):
        return _upper_code(value, field)  # a few assets again and again: cached
    return _upper_code_uncached(value, field)


def _upper_code_uncached(value: object, field: str) -> str:
    text = non_empty(value, field, max_length=ASSET_LENGTH).upper()
    _check_code_characters(text, field)
    return text


#: What an asset code or a pair may hold besides the pair's ``/``: ASCII letters and digits,
#: ``.`` (staked variants such as ``DOT.S``), ``_`` and ``-``. Anything else (an invisible or
#: direction character, a full-width or Cyrillic look-alike) would make a second pair that
#: looks like the first; docs/importing.md, "Pair names".
_CODE_CHARACTERS = re.compile(r"[A-Z0-9._\-]+")


def _check_code_characters(text: str, field: str, *, allowed: str = "") -> None:
    if _CODE_CHARACTERS.fullmatch(text.replace(allowed, "") if allowed else text):
        return
    for index, char in enumerate(text):
        if char not in allowed and not _CODE_CHARACTERS.fullmatch(char):
            name = unicodedata.name(char, "unnamed character")
            raise InvalidValueError(
                field,
                f"{shown(text)} holds U+{ord(char):04X} {name} at {index}: asset codes are "
                "ASCII letters, digits, '.', '_' and '-'",
            )


_upper_code = functools.lru_cache(maxsize=256)(_upper_code_uncached)


_CHECK = "domain.check"


def check(fn: Callable[[object, str], Any], *, optional: bool = False) -> dict[str, Any]:
    """Field metadata asking :func:`apply_checks` to run ``fn(value, field_name)`` on the field.

    With ``optional=True`` a ``None`` is let through unchecked.
    """
    return {_CHECK: (fn, optional)}


def _bound(fn: Callable[[object, str], Any], name: str, optional: bool) -> Callable[[object], Any]:
    if optional:
        return lambda value: None if value is None else fn(value, name)
    return lambda value: fn(value, name)


def apply_checks(cls: type, fields: list[attrs.Attribute[Any]]) -> list[attrs.Attribute[Any]]:
    """An attrs ``field_transformer``: turn :func:`check` metadata into converters.

    Converters run in ``__init__`` and on every later assignment, and their
    errors name the field.
    """
    result = []
    for attribute in fields:
        spec = attribute.metadata.get(_CHECK)
        if spec is not None:
            fn, is_optional = spec
            attribute = attribute.evolve(converter=_bound(fn, attribute.name, is_optional))
        result.append(attribute)
    return result
