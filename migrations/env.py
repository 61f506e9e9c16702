"""Alembic environment: one set of migrations for PostgreSQL and SQLite.

The URL comes from ``-x url=...``, else ``GALFRIDAY_DATABASE_URL``, else the
library default. A Connection or an Engine handed in through
``config.attributes["connection"]`` is used as is (the programmatic API in
``gal_friday.persistence.schema`` and the tests do that).

Where the library's schema lives in a shared database
(docs/database.md, "Sharing a database"): the settings handed in through
``config.attributes["schema_settings"]``, else
``-x version_table=... -x schema_name=... -x include_tables=a,b``, else their environment
variables, else the ``[alembic]`` options of the same names. Autogenerate and ``alembic
check`` compare the library's tables only.
"""

from __future__ import annotations

from logging.config import fileConfig
from typing import Any

from alembic import context
from sqlalchemy import Connection, Engine

from gal_friday.persistence.database import create_engine, resolve_url
from gal_friday.persistence.migrating.filters import include_object
from gal_friday.persistence.migrating.render import render_item
from gal_friday.persistence.migrating.settings import SchemaSettings, in_schema, resolve
from gal_friday.persistence.tables.definitions import metadata

config = context.config
if config.config_file_name is not None and not config.attributes.get("skip_logging_config"):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = metadata


def _settings() -> SchemaSettings:
    given = config.attributes.get("schema_settings")
    if isinstance(given, SchemaSettings):
        return given
    x = context.get_x_argument(as_dictionary=True)
    listed = x.get("include_tables")
    return resolve(
        x.get("version_table"),
        x.get("schema_name"),
        listed.split(",") if listed is not None else None,
        config.get_section(config.config_ini_section) or {},
    )


settings = _settings()


def _options() -> dict[str, Any]:
    return {
        "target_metadata": target_metadata,
        "render_as_batch": True,
        "compare_type": True,
        "compare_server_default": False,
        "render_item": render_item,
        "include_object": include_object(target_metadata, settings),
        "version_table": settings.version_table,
        "version_table_schema": settings.schema_name,
    }


def _url() -> str:
    explicit = context.get_x_argument(as_dictionary=True).get("url")
    return resolve_url(explicit).render_as_string(hide_password=False)


def run_migrations_offline() -> None:
    """Emit SQL to stdout instead of running it."""
    context.configure(url=_url(), literal_binds=True, **_options())
    with context.begin_transaction():
        context.run_migrations()


def _run(connection: Connection) -> None:
    context.configure(connection=connection, **_options())
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run against a live database: a handed-in Connection/Engine, or one built from the URL."""
    given = config.attributes.get("connection")
    if isinstance(given, Connection):
        _run(given)
        return
    engine = given if isinstance(given, Engine) else create_engine(_url())
    try:
        with engine.begin() as connection, in_schema(connection, settings, create=True):
            _run(connection)
    finally:
        if not isinstance(given, Engine):
            engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
