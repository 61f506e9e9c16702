"""Alembic environment: one set of migrations for PostgreSQL and SQLite.

The URL comes from ``-x url=...``, else ``GALFRIDAY_DATABASE_URL``, else the
library default. A Connection or an Engine handed in through
``config.attributes["connection"]`` is used as is (the programmatic API in
``gal_friday.persistence.schema`` and the tests do that).
"""

from __future__ import annotations

from logging.config import fileConfig
from typing import Any

from alembic import context
from sqlalchemy import Connection, Engine

from gal_friday.persistence.database import create_engine, resolve_url
from gal_friday.persistence.migrating.render import render_item
from gal_friday.persistence.tables.definitions import metadata

config = context.config
if config.config_file_name is not None and not config.attributes.get("skip_logging_config"):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = metadata


def _options() -> dict[str, Any]:
    return {
        "target_metadata": target_metadata,
        "render_as_batch": True,
        "compare_type": True,
        "compare_server_default": False,
        "render_item": render_item,
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
        with engine.begin() as connection:
            _run(connection)
    finally:
        if not isinstance(given, Engine):
            engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
