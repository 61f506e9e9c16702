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


class PoolTimeoutError(DatabaseTimeoutError):
    """No pooled connection came free within the pool's timeout (every one busy): nothing
    was committed; retried like an outage (``docs/database.md``)."""


class StorageFullError(StorageError):
    """The database's disk (or memory) is full: not an outage, so never retried as one."""


class FillStoredTradesStaleError(StorageError):
    """A live fill **was committed**, but its pair's trades could not be brought up to date
    for a storage reason afterwards: they are stale until the pair's next fill or
    ``gal-friday trades rebuild`` (docs/live-fills.md). Re-sending the fill answers
    ``ALREADY_RECORDED`` and refreshes them again.
    """

    def __init__(self, fill_id: str, exchange: str, trading_pair: str, reason: StorageError):
        self.fill_id = fill_id
        self.reason = reason
        super().__init__(
            f"fill {fill_id!r} is stored (committed); only the refresh of the trades of "
            f"{trading_pair} ({exchange}) that follows it failed, so they are stale until "
            f"the next fill or `gal-friday trades rebuild`: {reason}"
        )


class SchemaMissingError(StorageError):
    """The database lacks a table of ours: run ``gal-friday db upgrade``."""


class ConcurrencyError(StorageError):
    """Another writer changed or locked the same data first; nothing was committed, retry."""


class ConstraintViolationError(StorageError):
    """A row the database refused: a CHECK, UNIQUE, NOT NULL or FOREIGN KEY constraint."""

    def __init__(self, constraint: str | None, detail: str) -> None:
        self.constraint = constraint
        super().__init__(detail)


class SchemaConflictError(StorageError):
    """The database holds something the library's migrations would take: a table of the same
    name that is not ours, or another application's Alembic revision in our version table
    (``docs/database.md``, "Sharing a database"). ``tables`` names the tables in the way."""

    def __init__(self, detail: str, tables: tuple[str, ...] = ()) -> None:
        self.tables = tables
        super().__init__(detail)
