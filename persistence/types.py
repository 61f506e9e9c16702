"""Column types that behave the same on PostgreSQL and SQLite.

* :class:`Money` is ``NUMERIC(38, 18)`` on PostgreSQL and a canonical decimal
  string on SQLite (which would otherwise store REAL and lose digits). Binds
  refuse floats and values that do not fit exactly; results are ``Decimal``
  without trailing zeros on both backends. SQL ordering and arithmetic on
  money columns are therefore only meaningful on PostgreSQL: sums are done in
  Python.
* :class:`UTCDateTime` refuses naive datetimes and always returns aware UTC
  (SQLite keeps no offset: UTC is stored and attached again on read).
* :class:`EnumText` stores a ``StrEnum``'s value and returns the member.
* :data:`JSONDocument` is JSONB on PostgreSQL, JSON elsewhere; SQL NULL for None.
* :class:`ExactDecimal` is an exact decimal of any scale (unconstrained ``NUMERIC``
  on PostgreSQL, a decimal string on SQLite): sums of products, never rounded.
* :class:`DecimalMap` is a JSON object of decimal strings (``{"USD": "0.26"}``),
  read back as ``dict[str, Decimal]``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, Integer, Numeric, String, Text, cast, type_coerce
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.mutable import MutableDict
from sqlalchemy.types import TypeDecorator, TypeEngine

from gal_friday.domain import values as v
from gal_friday.domain.configuration import canonical_json, parse_canonical

#: Auto-incrementing surrogate keys: BIGINT identity on PostgreSQL, INTEGER rowid on SQLite.
BigIntPK = BigInteger().with_variant(Integer(), "sqlite")

#: A JSON document (dict), SQL NULL for None, in-place changes tracked.
JSONDocument = MutableDict.as_mutable(
    JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")
)

SQLITE_MONEY_LENGTH = 48


class Money(TypeDecorator[Decimal]):
    """An exact decimal amount: at most 38 digits, 18 of them after the point."""

    impl = Numeric(38, 18, asdecimal=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(SQLITE_MONEY_LENGTH))
        return dialect.type_descriptor(Numeric(38, 18, asdecimal=True))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        amount = v.check_storable(v.to_decimal(value, "amount"), "amount")
        if dialect.name == "sqlite":
            return format(v.tidy(amount), "f")
        return amount

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return v.tidy(Decimal(value))

    @property
    def python_type(self) -> type[Decimal]:
        return Decimal


class ExactDecimal(TypeDecorator[Decimal]):
    """An exact decimal of any scale: unconstrained NUMERIC on PostgreSQL, text on SQLite."""

    impl = Numeric(asdecimal=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String())
        return dialect.type_descriptor(Numeric(asdecimal=True))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        amount = v.tidy(v.to_decimal(value, "amount"))
        return format(amount, "f") if dialect.name == "sqlite" else amount

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return v.tidy(Decimal(value))

    @property
    def python_type(self) -> type[Decimal]:
        return Decimal


class DecimalMap(TypeDecorator[dict[str, Decimal]]):
    """A JSON object whose values are exact decimals, stored as decimal strings."""

    impl = JSON
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(JSONB())
        return dialect.type_descriptor(JSON())

    def process_bind_param(self, value: Any, dialect: Dialect) -> dict[str, str] | None:
        return None if value is None else as_decimal_strings(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> dict[str, Decimal] | None:
        if value is None:
            return None
        return {key: v.tidy(Decimal(amount)) for key, amount in value.items()}


class CanonicalJSON(TypeDecorator[dict[str, Any]]):
    """A configuration's content: written as its canonical JSON text, read back exactly.

    The driver's own JSON handling would write ``Decimal`` not at all and read every
    number with a point as a float (and PostgreSQL's JSONB rewrites exponents), so
    this column goes through :func:`~gal_friday.domain.configuration.canonical_json`
    and :func:`~gal_friday.domain.configuration.parse_canonical` both ways, and is read
    as text (``CAST(... AS TEXT)``) so that no driver parses it first.
    """

    impl = JSON
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(JSONB())
        return dialect.type_descriptor(JSON())

    def bind_processor(self, dialect: Dialect) -> Any:
        def process(value: Any) -> str | None:
            return None if value is None else canonical_json(value)

        return process

    def result_processor(self, dialect: Dialect, coltype: object) -> Any:
        def process(value: Any) -> Any:
            return parse_canonical(value) if isinstance(value, str) else value

        return process

    def column_expression(self, column: Any) -> Any:
        return type_coerce(cast(column, Text()), self)  # text from the server, parsed here


def as_decimal_strings(value: dict[str, Any]) -> dict[str, str]:
    """``{key: "decimal"}``: how :class:`DecimalMap` stores a mapping of amounts."""
    return {key: format(v.tidy(v.to_decimal(amount, key)), "f") for key, amount in value.items()}


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC instant (microsecond precision)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        instant = v.utc(value, "timestamp")
        if dialect.name == "sqlite":
            return instant.replace(tzinfo=None)
        return instant

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        instant = datetime.fromisoformat(value) if isinstance(value, str) else value
        assert isinstance(instant, datetime)
        if instant.tzinfo is None:
            return instant.replace(tzinfo=UTC)
        return instant.astimezone(UTC)

    @property
    def python_type(self) -> type[datetime]:
        return datetime


class EnumText(TypeDecorator[StrEnum]):
    """A ``StrEnum`` stored as its string value (CHECK constraints list the values)."""

    impl = String(32)
    cache_ok = True

    def __init__(self, enum_class: type[StrEnum], length: int = 32) -> None:
        super().__init__(length)
        self.enum_class = enum_class

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return v.enum_value(self.enum_class, value, self.enum_class.__name__).value

    def process_result_value(self, value: Any, dialect: Dialect) -> StrEnum | None:
        if value is None:
            return None
        return self.enum_class(value)

    def __repr__(self) -> str:
        return f"String(length={self.impl.length})"


def enum_values(enum_class: type[StrEnum]) -> str:
    """``'A', 'B'``: the values of an enum for a CHECK ... IN (...) constraint."""
    return ", ".join(f"'{member.value}'" for member in enum_class)
