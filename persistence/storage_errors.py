"""The storage errors themselves, apart from the driver-error translation (no SQLAlchemy).

The store could not do what was asked: unreachable or timed out, no schema, a refused
row, another writer first. :mod:`gal_friday.persistence.errors` re-exports them with the
translation; the in-memory fakes raise them without importing SQLAlchemy.
"""

from __future__ import annotations


class StorageError(Exception):
    """The store could not do what was asked (not a business rule)."""


class DatabaseUnavailableError(StorageError):
    """The database could not be reached or dropped the connection."""


class DatabaseTimeoutError(DatabaseUnavailableError):
    """Connecting or a statement took longer than its timeout (``docs/database.md``)."""


class SchemaMissingError(StorageError):
    """The database lacks a table of ours: run ``gal-friday db upgrade``."""


class ConcurrencyError(StorageError):
    """Another writer changed or locked the same data first; nothing was committed, retry."""


class ConstraintViolationError(StorageError):
    """A row the database refused: a CHECK, UNIQUE, NOT NULL or FOREIGN KEY constraint."""

    def __init__(self, constraint: str | None, detail: str) -> None:
        self.constraint = constraint
        super().__init__(detail)
