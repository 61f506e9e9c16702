"""Where the library's schema lives in a database it may share: version table, schema, tables.

Three settings (``docs/database.md``, "Sharing a database"), each read from the caller's
argument, else an environment variable, else the ``[alembic]`` section of ``alembic.ini``,
else the default:

========================  ===============================  ==================  ===================
setting                   environment                      ``alembic.ini``     default
========================  ===============================  ==================  ===================
``version_table``         ``GALFRIDAY_DB_VERSION_TABLE``   ``version_table``   ``alembic_version``
``schema_name``           ``GALFRIDAY_DB_SCHEMA``          ``schema_name``     none (PostgreSQL's
                                                                               current schema)
``include_tables``        ``GALFRIDAY_DB_INCLUDE_TABLES``  ``include_tables``  none
========================  ===============================  ==================  ===================
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Connection, text
from sqlalchemy.schema import CreateSchema

from gal_friday.domain.errors import InputError

DEFAULT_VERSION_TABLE = "alembic_version"
VERSION_TABLE_ENV = "GALFRIDAY_DB_VERSION_TABLE"
SCHEMA_ENV = "GALFRIDAY_DB_SCHEMA"
INCLUDE_TABLES_ENV = "GALFRIDAY_DB_INCLUDE_TABLES"

#: An unquoted SQL identifier both backends take as it is (PostgreSQL folds case: lower only).
_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]{0,62}")


class SchemaSettingError(InputError):
    """A version table, schema or table name that cannot be used (names its source)."""


@dataclass(frozen=True)
class SchemaSettings:
    """Where the library keeps its schema in a database."""

    version_table: str = DEFAULT_VERSION_TABLE
    schema_name: str | None = None
    include_tables: frozenset[str] = frozenset()


def _identifier(value: str, source: str) -> str:
    name = value.strip()
    if not _IDENTIFIER.fullmatch(name):
        raise SchemaSettingError(
            f"{source}: {value!r} is not a usable name (lower-case letters, digits and _,"
            " not starting with a digit, at most 63 characters)"
        )
    return name


def _pick(given: str | None, env: str, ini: Mapping[str, str], key: str) -> tuple[str, str] | None:
    """The first value set, with where it came from."""
    if given is not None:
        return given, key
    if os.environ.get(env):
        return os.environ[env], f"${env}"
    if ini.get(key):
        return ini[key], f"alembic.ini {key}"
    return None


def resolve(
    version_table: str | None = None,
    schema_name: str | None = None,
    include_tables: Iterable[str] | None = None,
    ini: Mapping[str, str] | None = None,
) -> SchemaSettings:
    """The settings: each argument, else its environment variable, else ``ini``, else default."""
    ini = ini or {}
    picked = _pick(version_table, VERSION_TABLE_ENV, ini, "version_table")
    table = _identifier(*picked) if picked else DEFAULT_VERSION_TABLE
    picked = _pick(schema_name, SCHEMA_ENV, ini, "schema_name")
    schema = _identifier(*picked) if picked else None
    if include_tables is not None:
        listed = [(name, "include_tables") for name in include_tables]
    else:
        found = _pick(None, INCLUDE_TABLES_ENV, ini, "include_tables")
        listed = [(name, found[1]) for name in re.split(r"[,\s]+", found[0])] if found else []
    tables = frozenset(_identifier(name, source) for name, source in listed if name.strip())
    return SchemaSettings(table, schema, tables)


def uses_schemas(connection: Connection) -> bool:
    """True on PostgreSQL, the only backend with schemas here."""
    return connection.dialect.name == "postgresql"


def check_schema_backend(connection: Connection, settings: SchemaSettings) -> None:
    """Refuse a schema name on SQLite, which has none (one file is one database)."""
    if settings.schema_name is not None and not uses_schemas(connection):
        raise SchemaSettingError(
            f"schema_name {settings.schema_name!r}: only PostgreSQL has schemas;"
            " on SQLite give the library its own file instead"
        )


@contextmanager
def in_schema(connection: Connection, settings: SchemaSettings, *, create: bool) -> Iterator[None]:
    """Within the caller's transaction, make ``settings.schema_name`` (created first when
    ``create``) the only schema unqualified names resolve to, and restore the search path after.
    """
    check_schema_backend(connection, settings)
    schema = settings.schema_name
    if schema is None:
        yield
        return
    if create:
        connection.execute(CreateSchema(schema, if_not_exists=True))  # quoted by the dialect
    before = connection.execute(text("SELECT current_setting('search_path')")).scalar_one()
    connection.execute(text("SELECT set_config('search_path', :p, true)"), {"p": f'"{schema}"'})
    yield  # on an error the caller's transaction rolls back, and the setting with it
    connection.execute(text("SELECT set_config('search_path', :p, true)"), {"p": before})
