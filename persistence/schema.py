"""Upgrade, downgrade, inspect and check a database's schema without shelling out to alembic.

Each function takes a URL (``None``: the library default), an Engine or a
Connection. An Engine or URL is used inside one transaction; a Connection is
used as given (the caller owns its transaction).

In a database shared with another application
(docs/database.md, "Sharing a database"), ``version_table``, ``schema_name`` and
``include_tables`` say where the library's schema lives
(:mod:`gal_friday.persistence.migrating.settings`: else their environment variables, else
``alembic.ini``); a clash is a :class:`~gal_friday.persistence.errors.SchemaConflictError`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Connection, Engine
from sqlalchemy.engine import URL

from gal_friday.domain.invariants import InvariantError
from gal_friday.persistence.database import create_engine
from gal_friday.persistence.migrating.conflicts import check_before_migrating, conflict_from
from gal_friday.persistence.migrating.filters import include_object
from gal_friday.persistence.migrating.post_upgrade import PostUpgradeNote, notes_between
from gal_friday.persistence.migrating.render import render_item
from gal_friday.persistence.migrating.settings import SchemaSettings, in_schema, resolve
from gal_friday.persistence.tables.definitions import metadata

ROOT = Path(__file__).resolve().parent.parent
ALEMBIC_INI = ROOT / "alembic.ini"
SCRIPT_LOCATION = ROOT / "migrations"

Target = str | URL | Engine | Connection | None


def alembic_config(
    connection: Connection | None = None, settings: SchemaSettings | None = None
) -> Config:
    """An Alembic Config pointing at this project's migrations (no logging reconfiguration)."""
    config = Config(str(ALEMBIC_INI)) if ALEMBIC_INI.exists() else Config()
    config.set_main_option("script_location", str(SCRIPT_LOCATION))
    config.attributes["skip_logging_config"] = True
    if connection is not None:
        config.attributes["connection"] = connection
    if settings is not None:
        config.attributes["schema_settings"] = settings
    return config


def settings(
    version_table: str | None = None,
    schema_name: str | None = None,
    include_tables: Iterable[str] | None = None,
) -> SchemaSettings:
    """Where the library's schema lives: the arguments, else the environment, else alembic.ini."""
    ini = alembic_config().get_section("alembic") or {} if ALEMBIC_INI.exists() else {}
    return resolve(version_table, schema_name, include_tables, ini)


def _context_options(chosen: SchemaSettings) -> dict[str, Any]:
    return {"version_table": chosen.version_table, "version_table_schema": chosen.schema_name}


def _current(connection: Connection, chosen: SchemaSettings) -> str | None:
    context = MigrationContext.configure(connection, opts=_context_options(chosen))
    return context.get_current_revision()


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


def upgrade(
    target: Target = None,
    revision: str = "head",
    *,
    version_table: str | None = None,
    schema_name: str | None = None,
) -> list[PostUpgradeNote]:
    """Migrate the database up to ``revision`` (default: the newest).

    Returns what to run next for the revisions applied (``docs/database.md``, "Upgrades").
    Another application's revision in the version table, or a table of ours that is already
    there while no revision of ours is, raises SchemaConflictError before anything changes.
    """
    chosen = settings(version_table, schema_name)
    with _connection(target) as connection, in_schema(connection, chosen, create=True):
        check_before_migrating(connection, chosen, revisions(), metadata)
        before = _current(connection, chosen)
        try:
            command.upgrade(alembic_config(connection, chosen), revision)
        except CommandError:
            raise
        except Exception as exc:
            conflict = conflict_from(exc)
            if conflict is None:
                raise
            raise conflict from exc
        after = _current(connection, chosen)
    return notes_between(ScriptDirectory.from_config(alembic_config()), before, after)


def downgrade(
    target: Target,
    revision: str,
    *,
    version_table: str | None = None,
    schema_name: str | None = None,
) -> None:
    """Migrate the database down to ``revision`` (``base`` removes every table)."""
    chosen = settings(version_table, schema_name)
    with _connection(target) as connection, in_schema(connection, chosen, create=False):
        check_before_migrating(connection, chosen, revisions())
        command.downgrade(alembic_config(connection, chosen), revision)


def current(
    target: Target = None, *, version_table: str | None = None, schema_name: str | None = None
) -> str | None:
    """The revision the database is at, or None for a database without the schema."""
    chosen = settings(version_table, schema_name)
    with _connection(target) as connection:
        return _current(connection, chosen)


def head() -> str:
    """The newest revision in ``migrations/versions``."""
    revision = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if revision is None:
        raise InvariantError("the bundled migrations have a head revision")
    return revision


def heads() -> list[str]:
    """Every head revision (exactly one in a healthy history)."""
    return list(ScriptDirectory.from_config(alembic_config()).get_heads())


def revisions() -> list[str]:
    """Every revision, oldest first."""
    script = ScriptDirectory.from_config(alembic_config())
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


def check(
    target: Target = None,
    *,
    version_table: str | None = None,
    schema_name: str | None = None,
    include_tables: Iterable[str] | None = None,
) -> list[Any]:
    """Differences between the models and the database's schema (empty: no drift).

    Only the library's tables (and ``include_tables``) are compared: another application's
    tables in the same database are not differences.
    """
    chosen = settings(version_table, schema_name, include_tables)
    with _connection(target) as connection, in_schema(connection, chosen, create=False):
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                "render_as_batch": True,
                "render_item": render_item,
                "include_object": include_object(metadata, chosen),
                **_context_options(chosen),
            },
        )
        return list(compare_metadata(context, metadata))
