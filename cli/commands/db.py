"""``gal-friday db``: create, migrate, check and prune the database schema.

``--version-table`` and ``--schema`` say where the library's schema lives in a database it
shares with another application (docs/database.md, "Sharing a database"); ``db prune``
deletes old log and event rows (docs/database.md, "Retention").
"""

from __future__ import annotations

import re
import sys
from typing import TYPE_CHECKING, Any

import click

from gal_friday.cli.errors import UserError
from gal_friday.cli.state import State, missing_sqlite_file, pass_state

if TYPE_CHECKING:
    from sqlalchemy import Engine

_SETTINGS = "gal_friday.db.schema_settings"


@click.group()
@click.option(
    "--version-table",
    default=None,
    metavar="NAME",
    help="The library's Alembic version table (default: $GALFRIDAY_DB_VERSION_TABLE,"
    " else alembic_version).",
)
@click.option(
    "--schema",
    "schema_name",
    default=None,
    metavar="NAME",
    help="PostgreSQL schema holding the library's tables (default: $GALFRIDAY_DB_SCHEMA,"
    " else the search path's).",
)
@click.pass_context
def db(ctx: click.Context, version_table: str | None, schema_name: str | None) -> None:
    """Create, migrate, check and prune the database schema."""
    ctx.meta[_SETTINGS] = {"version_table": version_table, "schema_name": schema_name}


def _settings() -> dict[str, Any]:
    """The group's ``--version-table`` and ``--schema`` (None: the environment's)."""
    return dict(click.get_current_context().meta.get(_SETTINGS, {}))


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
    settings = _settings()
    notes = []
    try:
        if down:
            schema.downgrade(engine, revision, **settings)
        else:
            notes = schema.upgrade(engine, revision, **settings)
    except CommandError as exc:
        verb = "downgrade" if down else "upgrade"
        raise UserError(f"cannot {verb} {state.masked_url} to {revision!r}: {exc}") from None
    current = schema.current(engine, **settings)
    click.echo(f"{state.masked_url} {_schema_state(current, schema.head())}")
    for note in notes:
        click.echo(f"next: {note}")


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

    revision = schema.current(state.existing_engine(), **_settings())
    head = schema.head()
    status = "up to date" if revision == head else f"newest is {head}"
    click.echo(f"{revision or 'no schema'} ({status})")


def _migrated_engine(state: State) -> Engine:
    """The engine, once the schema (where the group's options say) is at the newest revision."""
    from gal_friday.persistence import schema

    engine = state.existing_engine()
    revision, head = schema.current(engine, **_settings()), schema.head()
    if revision != head:
        status = "has no schema" if revision is None else f"is at revision {revision}"
        raise UserError(
            f"the database {state.masked_url} {status}; run `gal-friday db upgrade` first"
        )
    return engine


@db.command("check")
@click.option(
    "--include-table",
    "include_tables",
    multiple=True,
    metavar="NAME",
    help="Also compare this table, not in the library's models (repeatable;"
    " default: $GALFRIDAY_DB_INCLUDE_TABLES).",
)
@pass_state
def db_check(state: State, include_tables: tuple[str, ...]) -> None:
    """Fail (exit 2) when the schema differs from the models or is not at the newest revision.

    Only the library's tables are compared: another application's tables are not differences.
    """
    from gal_friday.persistence import schema

    engine = _migrated_engine(state)
    differences = schema.check(engine, include_tables=include_tables or None, **_settings())
    if differences:
        raise UserError(f"the schema differs from the models: {differences}")
    click.echo("the schema matches the models")


@db.command("prune")
@click.option("--logs", "logs", metavar="AGE", help="Delete `logs` rows older than AGE (90d).")
@click.option(
    "--system-logs", "system_logs", metavar="AGE", help="Delete `system_logs` rows older than AGE."
)
@click.option("--events", "events", metavar="AGE", help="Delete `event_logs` rows older than AGE.")
@click.option(
    "--batch-size",
    type=click.IntRange(min=1),
    default=5_000,
    show_default=True,
    help="Rows deleted per transaction.",
)
@pass_state
def db_prune(
    state: State,
    logs: str | None,
    system_logs: str | None,
    events: str | None,
    batch_size: int,
) -> None:
    """Delete old log and event rows in small batches, while the bot keeps writing.

    AGE is a number and a unit: s, m, h, d or w (90d is 90 days). Without any age nothing runs.
    """
    if logs is None and system_logs is None and events is None:
        raise UserError(
            "give at least one age: --logs, --system-logs or --events (e.g. --logs 90d);"
            " nothing was deleted"
        )
    from gal_friday.persistence.bootstrap import unit_of_work_factory
    from gal_friday.services.retention import parse_age, prune

    logs_age = parse_age(logs, "--logs") if logs is not None else None
    system_logs_age = parse_age(system_logs, "--system-logs") if system_logs is not None else None
    events_age = parse_age(events, "--events") if events is not None else None
    factory = unit_of_work_factory(_migrated_engine(state))
    results = prune(
        factory,
        logs=logs_age,
        system_logs=system_logs_age,
        events=events_age,
        batch_size=batch_size,
    )
    for pruned in results:
        click.echo(
            f"{pruned.table}: deleted {pruned.deleted:,} rows older than"
            f" {pruned.before:%Y-%m-%d %H:%M:%S} UTC ({pruned.batches} batches)"
        )
