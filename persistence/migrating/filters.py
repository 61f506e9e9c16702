"""What ``check`` and autogenerate compare: the library's tables, never another application's.

A database shared with the bot holds the bot's tables too; compared with the library's
models alone, Alembic would report each of them as a table to drop. The filter keeps the
tables of the library's metadata and those listed in ``include_tables``
(:mod:`~gal_friday.persistence.migrating.settings`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import MetaData

from gal_friday.persistence.migrating.settings import SchemaSettings

IncludeObject = Callable[[Any, str | None, str, bool, Any], bool]


def include_object(metadata: MetaData, settings: SchemaSettings) -> IncludeObject:
    """Alembic's ``include_object`` hook for the library's tables (and ``include_tables``)."""
    ours = frozenset(table.name for table in metadata.tables.values()) | settings.include_tables

    def include(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
        if type_ != "table":
            return True  # an index or column belongs to a table already let through
        if name == settings.version_table:
            return False
        return not reflected or name in ours

    return include
