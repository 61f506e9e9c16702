"""What the root group's options leave for the commands: the database URL and its engines."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click
from click.core import ParameterSource

from gal_friday.cli.errors import UserError

if TYPE_CHECKING:  # the heavy modules are imported inside the methods that use them
    from sqlalchemy import Engine

    from gal_friday.services.ports import UnitOfWorkFactory


class State:
    """What the group's options leave for the commands."""

    # Commands that only read: on SQLite their transactions do not take the write lock.
    READ_ONLY_COMMANDS = frozenset(
        {
            "report",
            "current",
            "check",
            "audit",
            "equity",
            "income",
            "positions",
            "balances",
            "risk",
            "tearsheet",
        }
    )

    def __init__(self, database_url: str | None) -> None:
        self.database_url = database_url
        ctx = click.get_current_context(silent=True)
        source = ctx.get_parameter_source("database_url") if ctx else None
        self.url_option = (
            "$GALFRIDAY_DATABASE_URL" if source is ParameterSource.ENVIRONMENT else "--database-url"
        )

    def _check_url(self) -> str:
        """The URL, masked; a bad one is a user error naming where it came from."""
        from gal_friday.persistence.database import DatabaseURLError, mask_url, resolve_url

        try:
            return mask_url(resolve_url(self.database_url))
        except DatabaseURLError as exc:
            raise DatabaseURLError(f"{self.url_option}: {exc}") from None

    @property
    def masked_url(self) -> str:
        return self._check_url()

    def engine(self) -> Engine:
        from gal_friday.persistence.database import read_only
        from gal_friday.persistence.engines import engine_for

        self._check_url()
        engine = engine_for(self.database_url)
        ctx = click.get_current_context(silent=True)
        if ctx is not None and ctx.info_name in self.READ_ONLY_COMMANDS:
            return read_only(engine)
        return engine

    def existing_engine(self) -> Engine:
        """The engine of a database that exists: a mistyped SQLite path is not created."""
        self._check_url()
        missing = missing_sqlite_file(self.database_url)
        if missing is not None:
            raise UserError(
                f"the database file {missing} does not exist; check --database-url"
                " (`gal-friday db upgrade` creates it)"
            )
        return self.engine()

    def migrated_engine(self) -> Engine:
        """The engine, after checking the schema is at the newest revision."""
        from gal_friday.persistence.migrating import schema_version

        engine = self.existing_engine()
        revision, head = schema_version.stored_revision(engine), schema_version.head_revision()
        if head is None or revision != head:  # not the fast path: Alembic decides
            from gal_friday.persistence import schema

            revision, head = schema.current(engine), schema.head()
        if revision != head:
            raise _schema_not_current(self.masked_url, revision)
        return engine

    def uow_factory(self, engine: Engine | None = None) -> UnitOfWorkFactory:
        """The composition root's unit-of-work factory on ``engine`` (by default
        :meth:`migrated_engine`: a database not at the newest revision is a user error).
        """
        from gal_friday.persistence.bootstrap import unit_of_work_factory

        return unit_of_work_factory(self.migrated_engine() if engine is None else engine)


def _schema_not_current(masked_url: str, revision: str | None) -> Exception:
    """Why the database cannot be used yet, and what to run (exit 1: ``docs/database.md``)."""
    from gal_friday.persistence import schema
    from gal_friday.persistence.errors import SchemaMissingError

    if revision is None:
        return SchemaMissingError(
            f"the database {masked_url} has no schema; run `gal-friday db upgrade` first"
        )
    if revision not in schema.revisions():
        return SchemaMissingError(
            f"the database {masked_url} is at revision {revision}, which this release of"
            " gal-friday does not know: a newer release migrated it (upgrade gal-friday), or"
            " another program's Alembic shares its version table (docs/database.md)"
        )
    return SchemaMissingError(
        f"the database {masked_url} is at revision {revision}, older than this release's"
        f" {schema.head()}; run `gal-friday db upgrade` first"
    )


def missing_sqlite_file(database_url: str | None) -> Path | None:
    """The file a SQLite URL names when it does not exist (None for other URLs)."""
    from gal_friday.persistence.database import resolve_url

    url = resolve_url(database_url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    if url.query.get("uri") or url.database.startswith("file:"):
        return None  # a SQLite URI: its own rules
    path = Path(url.database)
    return None if path.exists() else path.resolve()


pass_state = click.make_pass_decorator(State)
