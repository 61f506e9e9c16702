"""Storage errors, and the translation of driver errors into them.

Two hierarchies, kept apart on purpose:

* :class:`~gal_friday.domain.DomainError`: a business rule refused something (an
  overfill, a duplicate fill id with other data, a fill for an unknown order).
* :class:`StorageError`: the store could not do what was asked. The database is
  unreachable or timed out (:class:`DatabaseUnavailableError`,
  :class:`DatabaseTimeoutError`), has no schema (:class:`SchemaMissingError`),
  refused a row (:class:`ConstraintViolationError`), or another writer got there
  first (:class:`ConcurrencyError`, retryable). No pooled connection free in time is a
  :class:`PoolTimeoutError` (a :class:`DatabaseTimeoutError`, retried like an outage); a
  full disk a :class:`StorageFullError` (never retried as one); and
  :class:`FillStoredTradesStaleError` says a live fill was committed though its trades
  could not follow (docs/live-fills.md).

Every engine made by :mod:`gal_friday.persistence.database` raises these for a
failure of the database itself as it happens (SQLAlchemy's ``handle_error`` event),
and the unit of work translates whatever else leaves it (constraint violations,
bad values, the bulk path's psycopg errors), so no caller needs to import
``sqlalchemy`` or ``psycopg`` to handle them. A message
names the constraint (our names, from the naming convention) and never carries
the driver's traceback text or a password. See ``docs/database.md``.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from typing import Any

from sqlalchemy.exc import DataError, DBAPIError, IntegrityError
from sqlalchemy.exc import TimeoutError as PoolCheckoutTimeout
from sqlalchemy.orm.exc import StaleDataError

from gal_friday.domain.errors import DomainError, DuplicateFillError
from gal_friday.persistence.storage_errors import (
    ConcurrencyError,
    ConstraintViolationError,
    DatabaseTimeoutError,
    DatabaseUnavailableError,
    FillStoredTradesStaleError,
    PoolTimeoutError,
    SchemaConflictError,
    SchemaMissingError,
    StorageError,
    StorageFullError,
)
from gal_friday.persistence.urls import mask_secrets

__all__ = [
    "FILL_UNIQUE",
    "ConcurrencyError",
    "ConstraintViolationError",
    "DatabaseTimeoutError",
    "DatabaseUnavailableError",
    "FillStoredTradesStaleError",
    "PoolTimeoutError",
    "SchemaConflictError",
    "SchemaMissingError",
    "StorageError",
    "StorageFullError",
    "reason",
    "translate_error",
    "translate_integrity_error",
    "translate_operational_error",
]

FILL_UNIQUE = "uq_fills_exchange_fill_id"
MAX_REASON = 300


_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: ([\w., ]+)")
_SQLITE_CHECK = re.compile(r"CHECK constraint failed: (\w+)")


def _constraint_name(exc: DBAPIError) -> str | None:
    diag = getattr(exc.orig, "diag", None)
    name = getattr(diag, "constraint_name", None)
    if name:
        return str(name)
    message = str(exc.orig)
    if match := _SQLITE_CHECK.search(message):
        return match.group(1)
    if match := _SQLITE_UNIQUE.search(message):
        columns = match.group(1).replace(" ", "")
        table = columns.split(".", 1)[0]
        names = [c.split(".", 1)[-1] for c in columns.split(",")]
        return f"uq_{table}_{'_'.join(names)}"
    if "FOREIGN KEY constraint failed" in message:
        return "foreign_key"
    if "NOT NULL constraint failed" in message:
        return "not_null"
    return None


_INSERT_COLUMNS = re.compile(r"INSERT\s+INTO\s+\S+\s*\(([^)]*)\)", re.IGNORECASE)


def _bound_values(exc: DBAPIError, column: str) -> list[str]:
    """The values bound for ``column`` in the failed statement (first few rows)."""
    params = exc.params
    rows: list[Any] = params[:5] if isinstance(params, list) else [params]
    columns: list[str] = []
    if match := _INSERT_COLUMNS.search(exc.statement or ""):
        columns = [c.strip().strip('"') for c in match.group(1).split(",")]
    values = []
    for row in rows:
        if isinstance(row, Mapping) and column in row:
            values.append(str(row[column]))
        elif isinstance(row, (list, tuple)) and column in columns:
            values.append(str(row[columns.index(column)]))
    return values


def _fill_id(exc: DBAPIError) -> str:
    detail = getattr(getattr(exc.orig, "diag", None), "message_detail", None) or ""
    if match := re.search(r"\(exchange, fill_id\)=\((.*?), (.*)\) already exists", detail):
        return match.group(2)
    values = _bound_values(exc, "fill_id")
    return values[0] if len(values) == 1 else ", ".join(values) or "?"


def reason(exc: BaseException) -> str:
    """The first line of a driver error, secrets masked and cut to a readable length."""
    text = str(getattr(exc, "orig", None) or exc).strip()
    first = text.splitlines()[0] if text else type(exc).__name__
    first = mask_secrets(first)
    return first if len(first) <= MAX_REASON else first[: MAX_REASON - 1] + "…"


def translate_integrity_error(exc: IntegrityError) -> DomainError | StorageError:
    """The error for a constraint violation: a duplicate fill id is the domain's rule."""
    name = _constraint_name(exc)
    if name == FILL_UNIQUE:
        return DuplicateFillError(_fill_id(exc), "a fill with this id is already stored")
    label = name or "a database constraint"
    return ConstraintViolationError(name, f"the database refused the row ({label}): {reason(exc)}")


_CONFLICT_SQLSTATES = {"40001", "40P01", "55P03"}  # serialization, deadlock, lock not available
_TIMEOUT_SQLSTATES = {"57014"}  # query_canceled: statement_timeout (or lock_timeout)
_MISSING_TABLE_SQLSTATES = {"42P01"}  # undefined_table
#: insufficient_resources: disk_full, out_of_memory, too_many_connections is not one of them
_FULL_SQLSTATES = {"53000", "53100", "53200"}
_FULL_MESSAGES = ("database or disk is full", "No space left on device", "could not extend file")
_SQLITE_MISSING_TABLE = re.compile(r"no such table: (\w+)")


def _psycopg(*names: str) -> tuple[type[BaseException], ...]:
    """psycopg's error classes ``names``; none while psycopg is not imported (then none of its
    errors can exist), so SQLite users never pay for importing it (start-up time)."""
    module = sys.modules.get("psycopg")
    return tuple(getattr(module, name) for name in names) if module is not None else ()


def _driver_error(exc: BaseException) -> BaseException:
    """The driver's own exception (psycopg or sqlite3) behind a SQLAlchemy wrapper."""
    return exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc


def _storage_error(exc: BaseException, invalidated: bool) -> StorageError | None:
    """The storage error for a driver-level failure that is not a constraint violation."""
    driver = _driver_error(exc)
    sqlstate = getattr(driver, "sqlstate", None)
    message = str(driver)
    if sqlstate in _CONFLICT_SQLSTATES or "database is locked" in message:
        return ConcurrencyError(
            "another writer holds or changed the same data; nothing was committed, retry"
        )
    if sqlstate in _FULL_SQLSTATES or any(text in message for text in _FULL_MESSAGES):
        # before the outage branches: retrying a full disk for a minute only delays the error
        return StorageFullError(
            f"the database's storage is full; nothing was committed ({reason(exc)})"
        )
    if sqlstate in _TIMEOUT_SQLSTATES:
        return DatabaseTimeoutError(
            f"a statement ran past the statement timeout; nothing was committed ({reason(exc)})"
        )
    if sqlstate in _MISSING_TABLE_SQLSTATES or _SQLITE_MISSING_TABLE.search(message):
        return SchemaMissingError(
            f"the database has no schema ({reason(exc)}); run `gal-friday db upgrade` first"
        )
    if "timeout expired" in message or "timed out" in message:
        return DatabaseTimeoutError(f"the database did not answer in time: {reason(exc)}")
    if invalidated:
        return DatabaseUnavailableError(
            "the database connection was lost during the transaction; nothing was committed"
            f" ({reason(exc)})"
        )
    if isinstance(driver, _psycopg("OperationalError", "InterfaceError")):
        return DatabaseUnavailableError(f"cannot use the database: {reason(exc)}")
    if type(driver).__name__ in ("OperationalError", "InterfaceError"):  # sqlite3
        return DatabaseUnavailableError(f"cannot use the database: {reason(exc)}")
    return None


def translate_operational_error(exc: DBAPIError) -> StorageError | None:
    """The storage error for a failure of the database itself, else None.

    Unreachable, dropped, timed out, locked by another writer, or without our tables:
    what every engine raises in place of the driver's error. Constraint violations
    and bad values are left to :func:`translate_error` where a unit of work sees them.
    """
    if isinstance(exc, IntegrityError):
        return None
    return _storage_error(exc, exc.connection_invalidated)


def translate_error(exc: BaseException) -> BaseException:
    """The domain or storage error for a database error; anything else unchanged.

    Accepts SQLAlchemy's wrappers and raw driver errors (psycopg, sqlite3) alike.
    """
    if isinstance(exc, StorageError | DomainError):
        return exc
    if isinstance(exc, PoolCheckoutTimeout):
        # every pooled connection busy (pool_size + max_overflow): retried like an outage
        return PoolTimeoutError(
            f"no database connection came free in time; nothing was committed ({reason(exc)})"
        )
    if isinstance(exc, IntegrityError):
        return translate_integrity_error(exc)
    if isinstance(exc, StaleDataError):
        return ConcurrencyError(
            f"another writer changed the record first; reload and retry ({exc})"
        )
    if isinstance(exc, (DataError, *_psycopg("DataError", "IntegrityError"))):
        # A value the database cannot hold (too long, NUL byte, out of range): bad input.
        name = getattr(getattr(exc, "diag", None), "constraint_name", None)
        return ConstraintViolationError(name, f"the database refused a value: {reason(exc)}")
    if isinstance(exc, DBAPIError):
        translated = _storage_error(exc, exc.connection_invalidated)
        return translated or StorageError(f"database error: {reason(exc)}")
    if isinstance(exc, _psycopg("Error")):
        broken = getattr(exc, "pgconn", None) is None or getattr(exc, "sqlstate", None) is None
        translated = _storage_error(exc, broken and isinstance(exc, _psycopg("OperationalError")))
        return translated or StorageError(f"database error: {reason(exc)}")
    return exc
