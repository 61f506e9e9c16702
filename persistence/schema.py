"""Upgrade, downgrade, inspect and check a database's schema without shelling out to alembic.

Each function takes a URL (``None``: the library default), an Engine or a
Connection. An Engine or URL is used inside one transaction; a Connection is
used as given (the caller owns its transaction).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine
from sqlalchemy.engine import URL

from gal_friday.persistence.database import create_engine
from gal_friday.persistence.migrating.render import render_item
from gal_friday.persistence.tables.definitions import metadata

ROOT = Path(__file__).resolve().parent.parent
ALEMBIC_INI = ROOT / "alembic.ini"
SCRIPT_LOCATION = ROOT / "migrations"

Target = str | URL | Engine | Connection | None


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic Config pointing at this project's migrations (no logging reconfiguration)."""
    config = Config(str(ALEMBIC_INI)) if ALEMBIC_INI.exists() else Config()
    config.set_main_option("script_location", str(SCRIPT_LOCATION))
    config.attributes["skip_logging_config"] = True
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@contextmanager
def _connection(target: Target) -> Iterator[Connection]:
    if isinstance(target, Connection):
        yield target
        return
    engine = target if isinstance(target, Engine) else create_engine(target)
    try:
        with engine.begin() as connection:
            yield connection
    finally:
        if not isinstance(target, Engine):
            engine.dispose()


def upgrade(target: Target = None, revision: str = "head") -> None:
    """Migrate the database up to ``revision`` (default: the newest)."""
    with _connection(target) as connection:
        command.upgrade(alembic_config(connection), revision)


def downgrade(target: Target, revision: str) -> None:
    """Migrate the database down to ``revision`` (``base`` removes every table)."""
    with _connection(target) as connection:
        command.downgrade(alembic_config(connection), revision)


def current(target: Target = None) -> str | None:
    """The revision the database is at, or None for a database without the schema."""
    with _connection(target) as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head() -> str:
    """The newest revision in ``migrations/versions``."""
    revision = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert revision is not None
    return revision


def heads() -> list[str]:
    """Every head revision (exactly one in a healthy history)."""
    return list(ScriptDirectory.from_config(alembic_config()).get_heads())


def revisions() -> list[str]:
    """Every revision, oldest first."""
    script = ScriptDirectory.from_config(alembic_config())
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


def check(target: Target = None) -> list[Any]:
    """Differences between the models and the database's schema (empty: no drift)."""
    with _connection(target) as connection:
        context = MigrationContext.configure(
            connection,
            opts={"compare_type": True, "render_as_batch": True, "render_item": render_item},
        )
        return list(compare_metadata(context, metadata))
