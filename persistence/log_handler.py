"""The log handler's old import path, kept for users who import from it.

The handler lives in :mod:`gal_friday.persistence.logwriter.handler`; import it from
there (``docs/logging.md``). ``AsyncPostgresHandler`` is its first name, the same class
as :class:`DatabaseLogHandler`.
"""

from __future__ import annotations

from gal_friday.persistence.logwriter.handler import (
    INTERNAL_LOGGER,
    AsyncPostgresHandler,
    DatabaseLogHandler,
)

__all__ = ["INTERNAL_LOGGER", "AsyncPostgresHandler", "DatabaseLogHandler"]
