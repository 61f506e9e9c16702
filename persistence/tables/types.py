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
* :data:`JSONDocument` is JSONB on PostgreSQL, JSON elsewhere; SQL NULL for None. Every
  value is put in the library's one JSON encoding when it binds
  (:func:`~gal_friday.domain.json_values.to_json`, ``docs/payloads.md``: a ``Decimal`` as
  the string of its exact digits, a numpy scalar as its number, dates and UUIDs as ISO
  text); a value without one is refused with ``JSONValueError`` naming its path, before
  any driver sees it.
* :class:`ExactDecimal` is an exact decimal of any scale (unconstrained ``NUMERIC``
  on PostgreSQL, a decimal string on SQLite): sums of products, never rounded.
* :class:`DecimalMap` is a JSON object of decimal strings (``{"USD": "0.26"}``),
  read back as ``dict[str, Decimal]``.

Reads are on every query's hot loop, so the decimal columns are tidied by PostgreSQL
itself (``trim_scale``, PostgreSQL 13+, in the SELECT list: the driver's ``Decimal`` is
then final) and the other types convert each value with one plain function instead of
``TypeDecorator``'s two calls per value; the values are the same either way (tested).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, Integer, Numeric, String, Text, cast, type_coerce
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.ext.mutable import MutableDict
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import TypeDecorator, TypeEngine

from gal_friday.domain import values as v
from gal_friday.domain.configuration import canonical_json, parse_canonical
from gal_friday.domain.invariants import InvariantError
from gal_friday.domain.json_values import to_json

#: Auto-incrementing surrogate keys: BIGINT identity on PostgreSQL, INTEGER rowid on SQLite.
BigIntPK = BigInteger().with_variant(Integer(), "sqlite")


class JSONValue(TypeDecorator[Any]):
    """JSON (JSONB on PostgreSQL) whose values are put in the JSON encoding when they bind."""

    impl = JSON(none_as_null=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(JSONB(none_as_null=True))
        return dialect.type_descriptor(JSON(none_as_null=True))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        return None if value is None else to_json(value, "JSON value")

    def copy_value(self, value: Any) -> Any:
        """What COPY writes for ``jsonb`` (the bulk path): the encoded value as psycopg's Jsonb."""
        from psycopg.types.json import Jsonb  # PostgreSQL only: imported when used

        return Jsonb(to_json(value, "JSON value"))


#: A JSON document (dict), SQL NULL for None, in-place changes tracked.
JSONDocument = MutableDict.as_mutable(JSONValue())

SQLITE_MONEY_LENGTH = 48
Processor = Callable[[Any], Any]


class _trim_scale(FunctionElement[Decimal]):
    """``trim_scale(x)`` on PostgreSQL: the stored decimal without trailing zeros, as
    :func:`~gal_friday.domain.values.tidy` writes it; ``x`` itself elsewhere."""

    inherit_cache = True


@compiles(_trim_scale)
def _trim_scale_elsewhere(element: _trim_scale, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.clauses, **kw)


@compiles(_trim_scale, "postgresql")
def _trim_scale_postgresql(element: _trim_scale, compiler: SQLCompiler, **kw: Any) -> str:
    return f"trim_scale({compiler.process(element.clauses, **kw)})"


def _after(driver: Processor | None, process: Processor) -> Processor:
    """``process`` applied to what the dialect's own processor (if any) returns."""
    if driver is None:
        return process
    return lambda value: process(driver(value))


def _tidy_decimal(value: Any) -> Decimal | None:
    return None if value is None else v.tidy(Decimal(value))


class _TidyDecimal(TypeDecorator[Decimal]):
    """Reads a decimal tidied: by the server on PostgreSQL, by :func:`_tidy_decimal` elsewhere."""

    impl = Numeric(asdecimal=True)
    cache_ok = True

    def column_expression(self, column: Any) -> Any:
        return type_coerce(_trim_scale(column), self)

    def result_processor(self, dialect: Dialect, coltype: object) -> Processor | None:
        driver = self.impl_instance.result_processor(dialect, coltype)
        if dialect.name == "postgresql":
            return driver  # trim_scale (column_expression) tidied it: psycopg's Decimal is final
        return _after(driver, _tidy_decimal)

    @property
    def python_type(self) -> type[Decimal]:
        return Decimal


class Money(_TidyDecimal):
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


class ExactDecimal(_TidyDecimal):
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

    def result_processor(self, dialect: Dialect, coltype: object) -> Processor | None:
        return _after(self.impl_instance.result_processor(dialect, coltype), _utc_instant)

    @property
    def python_type(self) -> type[datetime]:
        return datetime


def _utc_instant(value: Any) -> datetime | None:
    """A stored instant, aware and in UTC (SQLite keeps it naive, in UTC)."""
    if value is None:
        return None
    instant = datetime.fromisoformat(value) if isinstance(value, str) else value
    if not isinstance(instant, datetime):
        raise InvariantError(f"a stored instant reads as a datetime, not {type(instant).__name__}")
    if instant.tzinfo is None:
        return instant.replace(tzinfo=UTC)
    return instant.astimezone(UTC)


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

    def result_processor(self, dialect: Dialect, coltype: object) -> Processor | None:
        return _after(
            self.impl_instance.result_processor(dialect, coltype),
            _Members(self.enum_class).__getitem__,
        )

    def __repr__(self) -> str:
        return f"String(length={self.impl.length})"


class _Members(dict[str | None, StrEnum | None]):
    """An enum's members by value (and None for NULL): a dict lookup per value read."""

    def __init__(self, enum_class: type[StrEnum]) -> None:
        super().__init__({member.value: member for member in enum_class})
        self[None] = None
        self.enum_class = enum_class

    def __missing__(self, value: str) -> StrEnum:
        return self.enum_class(value)  # not a member: the enum's own error


def enum_values(enum_class: type[StrEnum]) -> str:
    """``'A', 'B'``: the values of an enum for a CHECK ... IN (...) constraint."""
    return ", ".join(f"'{member.value}'" for member in enum_class)
