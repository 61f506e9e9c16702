"""A Core statement run on the session's psycopg connection, for a latency-critical path.

Executing a Core statement costs SQLAlchemy 0.15-0.2 ms on top of the driver (the
execution context, parameter and result processing, the result object): a third of
the live fill path's own time. :class:`PreparedStatement` compiles the statement once
per dialect and sends it straight to psycopg, prepared on the server, and keeps what
the Core statement guarantees:

* parameters go through the same bind processors (the column types' checks and
  conversions), values read back through the same result processors;
* a failure goes through the ``Connection``'s own error handling: a lost connection
  invalidates it (and the pool's older connections), the engine's ``handle_error``
  translation runs, and anything else comes out in SQLAlchemy's ``DBAPIError`` wrapper,
  so the caller translates it as it does a Core statement's.

What it skips: the engine's ``before/after_cursor_execute`` events and SQL echo
(nothing in this project listens to them). It needs synchronous psycopg
(:func:`driver_of` says whether a connection is one).
"""

from __future__ import annotations

import sys
import weakref
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Connection, Dialect, Select
from sqlalchemy.exc import MultipleResultsFound

from gal_friday.persistence.internals import raise_as_core_would

if TYPE_CHECKING:  # not imported at run time: a SQLite process never loads psycopg
    import psycopg

Processor = Callable[[Any], Any]


def driver_of(conn: Connection) -> psycopg.Connection[Any] | None:
    """The synchronous psycopg connection under ``conn``, else None (SQLite, asyncio)."""
    # psycopg is in sys.modules whenever a psycopg connection exists
    loaded = sys.modules.get("psycopg")
    driver = conn.connection.driver_connection
    if loaded is None or not isinstance(driver, loaded.Connection):
        return None
    return cast("psycopg.Connection[Any]", driver)


class PreparedStatement:
    """``statement`` compiled for ``dialect``, run on the driver connection of a ``Connection``."""

    def __init__(self, statement: Select[Any], dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        self.sql = str(compiled)
        self.names = tuple(str(column.key) for column in statement.selected_columns)
        self._types = [column.type for column in statement.selected_columns]
        self._binds: dict[str, Processor] = {}
        for name, bind in compiled.binds.items():
            process = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if process is not None:
                self._binds[name] = process
        self._results: list[Processor | None] | None = None

    def one_or_none(
        self, conn: Connection, driver: psycopg.Connection[Any], params: Mapping[str, Any]
    ) -> tuple[Any, ...] | None:
        """The statement's one row (values processed as Core would), or None."""
        try:
            bound = dict(params)
            for name, process in self._binds.items():
                bound[name] = process(bound[name])
            cursor = driver.execute(self.sql, bound, prepare=True)
            rows = cursor.fetchall()
            processors = self._results or self._processors(conn.dialect, cursor.description)
        except BaseException as exc:
            # Exactly a Core statement's error path; it always raises.
            raise_as_core_would(conn, exc, self.sql, dict(params))
        if not rows:
            return None
        if len(rows) > 1:
            raise MultipleResultsFound("Multiple rows were found when one or none was required")
        return tuple(
            value if process is None else process(value)
            for value, process in zip(rows[0], processors, strict=True)
        )

    def _processors(
        self, dialect: Dialect, description: Sequence[Any] | None
    ) -> list[Processor | None]:
        self._results = [
            kind.dialect_impl(dialect).result_processor(dialect, column.type_code)
            for kind, column in zip(self._types, description or (), strict=True)
        ]
        return self._results


#: Per dialect (one per engine), the statements compiled for it, by the statement's id.
_compiled: weakref.WeakKeyDictionary[Dialect, dict[int, PreparedStatement]] = (
    weakref.WeakKeyDictionary()
)


def prepared(statement: Select[Any], dialect: Dialect) -> PreparedStatement:
    """``statement`` compiled for ``dialect``, once (keep ``statement`` at module level)."""
    per_dialect = _compiled.get(dialect)
    if per_dialect is None:
        per_dialect = _compiled.setdefault(dialect, {})
    found = per_dialect.get(id(statement))
    if found is None:
        found = per_dialect[id(statement)] = PreparedStatement(statement, dialect)
    return found
