"""``gal-friday db``: create and migrate the database schema."""

from __future__ import annotations

import re
import sys

import click

from gal_friday.cli.errors import UserError
from gal_friday.cli.state import State, missing_sqlite_file, pass_state


@click.group()
def db() -> None:
    """Create and migrate the database schema."""


def _schema_state(revision: str | None, head: str) -> str:
    if revision is None:
        return "has no schema"
    return f"is at revision {revision}" + (" (the newest)" if revision == head else "")


_RELATIVE_REVISION = re.compile(r"([+-]\d+|\w*[+-]\d+|\w+@\w+)")


def _check_revision(revision: str) -> None:
    """Refuse a revision id the migrations do not have (relative ids are left to Alembic)."""
    from gal_friday.persistence import schema

    known = schema.revisions()
    if revision in ("head", "heads", "base") or _RELATIVE_REVISION.fullmatch(revision):
        return
    if not any(rev.startswith(revision) for rev in known):  # Alembic accepts a unique prefix
        raise UserError(
            f"unknown revision {revision!r}: the migrations have {', '.join(known)}"
            " (or give head or base)"
        )


def _migrate(state: State, revision: str, *, down: bool) -> None:
    """Upgrade (or downgrade) to ``revision``; Alembic's refusals are bad input, one line."""
    from alembic.util.exc import CommandError

    from gal_friday.persistence import schema

    engine = state.engine()
    try:
        (schema.downgrade if down else schema.upgrade)(engine, revision)
    except CommandError as exc:
        verb = "downgrade" if down else "upgrade"
        raise UserError(f"cannot {verb} {state.masked_url} to {revision!r}: {exc}") from None
    click.echo(f"{state.masked_url} {_schema_state(schema.current(engine), schema.head())}")


@db.command("upgrade")
@click.argument("revision", default="head")
@pass_state
def db_upgrade(state: State, revision: str) -> None:
    """Migrate the schema up to REVISION (default: the newest); creates a SQLite file."""
    _check_revision(revision)
    missing = missing_sqlite_file(state.database_url)
    if missing is not None and not missing.parent.is_dir():
        raise UserError(f"the folder {missing.parent} of the database file does not exist")
    _migrate(state, revision, down=False)


@db.command("downgrade")
@click.argument("revision")
@click.option("--yes", is_flag=True, help="Do not ask before dropping tables and their data.")
@pass_state
def db_downgrade(state: State, revision: str, yes: bool) -> None:
    """Migrate the schema down to REVISION (`base` drops every table and its data)."""
    _check_revision(revision)
    state.existing_engine()  # refuses a SQLite path that does not exist
    if not yes:
        question = f"Downgrading {state.masked_url} to {revision} drops tables and their data."
        if not sys.stdin.isatty():
            raise UserError(f"{question} Pass --yes to confirm")
        click.confirm(f"{question} Continue?", abort=True, err=True)
    _migrate(state, revision, down=True)


@db.command("current")
@pass_state
def db_current(state: State) -> None:
    """Print the revision the database is at."""
    from gal_friday.persistence import schema

    revision = schema.current(state.existing_engine())
    head = schema.head()
    status = "up to date" if revision == head else f"newest is {head}"
    click.echo(f"{revision or 'no schema'} ({status})")


@db.command("check")
@pass_state
def db_check(state: State) -> None:
    """Fail (exit 2) when the schema differs from the models or is not at the newest revision."""
    from gal_friday.persistence import schema

    engine = state.migrated_engine()
    differences = schema.check(engine)
    if differences:
        raise UserError(f"the schema differs from the models: {differences}")
    click.echo("the schema matches the models")
