"""Database errors turned into clear domain-level errors.

A constraint violation names the constraint (our names, from the naming
convention) and never carries the driver's traceback text or a password.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from gal_friday.domain.errors import ConcurrencyError, DomainError, DuplicateFillError

FILL_UNIQUE = "uq_fills_exchange_fill_id"


class ConstraintViolationError(DomainError):
    """A row the database refused: a CHECK, UNIQUE, NOT NULL or FOREIGN KEY constraint."""

    def __init__(self, constraint: str | None, detail: str) -> None:
        self.constraint = constraint
        super().__init__(detail)


class DatabaseUnavailableError(DomainError):
    """The database could not be reached or dropped the connection."""


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


def translate_integrity_error(exc: IntegrityError) -> DomainError:
    """The domain-level error for a constraint violation."""
    name = _constraint_name(exc)
    if name == FILL_UNIQUE:
        return DuplicateFillError(_fill_id(exc), "a fill with this id is already stored")
    first_line = str(exc.orig).strip().splitlines()[0] if str(exc.orig).strip() else ""
    label = name or "a database constraint"
    return ConstraintViolationError(name, f"the database refused the row ({label}): {first_line}")


_RETRYABLE_SQLSTATES = {"40001", "40P01", "55P03"}  # serialization, deadlock, lock not available


def _is_write_conflict(exc: DBAPIError) -> bool:
    sqlstate = getattr(exc.orig, "sqlstate", None)
    if sqlstate in _RETRYABLE_SQLSTATES:
        return True
    # SQLite: a writer whose read snapshot is stale, or a lock held past the busy timeout.
    return "database is locked" in str(exc.orig)


def translate_error(exc: BaseException) -> BaseException:
    """A domain error for database errors we can explain; anything else unchanged."""
    if isinstance(exc, IntegrityError):
        return translate_integrity_error(exc)
    if isinstance(exc, StaleDataError):
        return ConcurrencyError(
            f"another writer changed the record first; reload and retry ({exc})"
        )
    if isinstance(exc, DBAPIError) and _is_write_conflict(exc):
        return ConcurrencyError(
            "another writer holds or changed the same data; nothing was committed, retry"
        )
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return DatabaseUnavailableError(
            "the database connection was lost during the transaction; nothing was committed"
        )
    return exc
