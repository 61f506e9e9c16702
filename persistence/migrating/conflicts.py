"""A database the library shares: what would clash, said before Alembic fails half-way.

Two clashes are found before an upgrade (:func:`check_before_migrating`), and a third
translated when a revision meets it (:func:`conflict_from`):

* the version table holds a revision the library does not know: another application's
  Alembic (the bot's) keeps its revision there; Alembic would say ``Can't locate revision``;
* the library has no revision recorded yet and a table of its models already exists: the
  bot's own ``logs``, say; the first revision would fail on it;
* a later revision creates a table or index whose name another application took.

Each is a :class:`~gal_friday.persistence.errors.SchemaConflictError` naming the table and
the setting that resolves it (``docs/database.md``, "Sharing a database").
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from sqlalchemy import Connection, MetaData, inspect, select
from sqlalchemy import column as sql_column
from sqlalchemy import table as sql_table

from gal_friday.persistence.migrating.settings import DEFAULT_VERSION_TABLE, SchemaSettings
from gal_friday.persistence.storage_errors import SchemaConflictError

_HOW = 'docs/database.md, "Sharing a database"'
#: PostgreSQL: relation "logs" already exists; SQLite: table logs already exists.
_ALREADY_EXISTS = re.compile(
    r"""(?:relation|table|index)\s+["'`]?([\w.]+)["'`]?\s+already exists""", re.IGNORECASE
)


def version_table_label(settings: SchemaSettings) -> str:
    """The version table as a person would name it (``gal.alembic_version``)."""
    schema = f"{settings.schema_name}." if settings.schema_name else ""
    return f"{schema}{settings.version_table}"


def stored_revisions(connection: Connection, settings: SchemaSettings) -> list[str]:
    """Every revision in the version table (none: no table, or no row)."""
    if not inspect(connection).has_table(settings.version_table, schema=settings.schema_name):
        return []
    versions = sql_table(
        settings.version_table, sql_column("version_num"), schema=settings.schema_name
    )
    return [str(row[0]) for row in connection.execute(select(versions.c.version_num))]


def check_before_migrating(
    connection: Connection,
    settings: SchemaSettings,
    known: Iterable[str],
    metadata: MetaData | None = None,
) -> None:
    """Raise :class:`SchemaConflictError` for another application's revision in the version
    table, or (given ``metadata``, before an upgrade) for tables of ours that exist while no
    revision of ours is recorded."""
    stored = stored_revisions(connection, settings)
    known_ids = set(known)
    foreign = [revision for revision in stored if revision not in known_ids]
    label = version_table_label(settings)
    if foreign:
        raise SchemaConflictError(
            f"{label} holds revision {', '.join(foreign)}, not one of the library's: another"
            " application's Alembic uses that table. Give the library its own version table:"
            " `gal-friday db --version-table gal_friday_version upgrade` or"
            f" $GALFRIDAY_DB_VERSION_TABLE ({_HOW})"
        )
    if stored or metadata is None:
        return
    existing = set(inspect(connection).get_table_names(schema=settings.schema_name))
    clash = tuple(sorted(existing & {table.name for table in metadata.tables.values()}))
    if clash:
        where = f" in schema {settings.schema_name}" if settings.schema_name else ""
        _moved_version_table(connection, settings, known_ids, clash)
        raise SchemaConflictError(
            f"{_tables(clash)}{where} already exists but is not the library's ({label} records"
            " no revision of ours): another application's. Give the library its own PostgreSQL"
            f" schema (`gal-friday db --schema gal_friday upgrade`) or database ({_HOW})",
            clash,
        )


def _moved_version_table(
    connection: Connection, settings: SchemaSettings, known: set[str], clash: tuple[str, ...]
) -> None:
    """The library's tables are there under the default version table: the setting is new."""
    if settings.version_table == DEFAULT_VERSION_TABLE:
        return
    default = SchemaSettings(DEFAULT_VERSION_TABLE, settings.schema_name)
    ours = [revision for revision in stored_revisions(connection, default) if revision in known]
    if ours:
        raise SchemaConflictError(
            f"{version_table_label(default)} records the library's revision {ours[0]} but"
            f" {version_table_label(settings)} is empty: this database's library schema uses"
            " the default version table; drop the version-table setting for it, or rename the"
            f" table to {settings.version_table} ({_HOW})",
            clash,
        )


def _tables(names: tuple[str, ...]) -> str:
    if len(names) == 1:
        return f"table {names[0]}"
    shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    return f"tables {shown} each"


def conflict_from(exc: BaseException) -> SchemaConflictError | None:
    """The conflict behind a failed migration step (``... already exists``), else None."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        match = _ALREADY_EXISTS.search(str(getattr(current, "orig", None) or current))
        if match:
            name = match.group(1).rsplit(".", 1)[-1]
            return SchemaConflictError(
                f"{name} is in the way: the database already has an object of that name that is"
                " not the library's. Give the library its own PostgreSQL schema (`gal-friday db"
                f" --schema gal_friday upgrade`) or database ({_HOW})",
                (name,),
            )
        current = current.__cause__ or current.__context__
    return None
