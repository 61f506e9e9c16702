"""``gal-friday``: import trade history, rebuild round-trip trades, report PnL, migrate.

Exit codes: 0 success; 2 bad input (one line on stderr saying what and where);
1 an operational failure (the database cannot be reached). The database URL is
``--database-url``, else ``GALFRIDAY_DATABASE_URL``, else ``sqlite:///galfriday.db``
in the working directory; passwords are never printed.

The root group and its options are here; each command group is a module of
:mod:`gal_friday.cli.commands`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import click

from gal_friday.cli.commands.audit import audit
from gal_friday.cli.commands.db import db
from gal_friday.cli.commands.demo import demo
from gal_friday.cli.commands.equity import equity
from gal_friday.cli.commands.importing import import_command
from gal_friday.cli.commands.prices import prices
from gal_friday.cli.commands.report import report
from gal_friday.cli.commands.snapshots import snapshots
from gal_friday.cli.commands.trades import trades
from gal_friday.cli.errors import INTERRUPTED, fail, loaded, mask_reason
from gal_friday.cli.state import State
from gal_friday.domain import DomainError, InputError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--database-url",
    envvar="GALFRIDAY_DATABASE_URL",
    default=None,
    metavar="URL",
    help="Database URL (default: $GALFRIDAY_DATABASE_URL, else sqlite:///galfriday.db).",
)
@click.version_option(package_name="gal-friday-persistence")
@click.pass_context
def cli(ctx: click.Context, database_url: str | None) -> None:
    """Gal-Friday's data layer: import trade history, rebuild trades, report PnL."""
    ctx.obj = State(database_url)


for _command in (db, import_command, audit, trades, report, prices, equity, snapshots, demo):
    cli.add_command(_command)


def run(command: Callable[..., Any] = cli, args: list[str] | None = None) -> int:
    """Run the command line: bad input exits 2, an unusable database 1, Ctrl-C 130.

    One line on stderr, never a traceback. A constraint the database enforces is bad
    input (the database works; it refused the data); every other storage error means
    the database cannot be used (``docs/database.md``).
    """
    try:
        command.main(args=args, prog_name="gal-friday", standalone_mode=False)  # type: ignore[attr-defined]
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except KeyboardInterrupt:
        fail("interrupted", INTERRUPTED)
    except click.Abort as exc:
        if isinstance(exc.__cause__, KeyboardInterrupt):
            fail("interrupted", INTERRUPTED)
        fail("aborted", 1)
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except (
        InputError,  # a file, a URL or an option that cannot be read (UserError among them)
        DomainError,  # a rule refused the data
        loaded("gal_friday.persistence.errors", "ConstraintViolationError"),
    ) as exc:
        fail(str(exc), 2)
    except loaded("gal_friday.persistence.errors", "StorageError") as exc:
        fail(str(exc), 1)
    except loaded("sqlalchemy.exc", "DBAPIError") as exc:  # anything no engine translated
        orig = str(exc.orig).strip()  # type: ignore[attr-defined]
        fail(f"database error: {mask_reason(orig.splitlines()[0] if orig else 'unknown')}", 1)
    return 0


def main() -> None:
    """Console-script entry point."""
    try:
        code = run()
    except KeyboardInterrupt:  # between commands' own handling, e.g. while exiting
        code = INTERRUPTED
    sys.exit(code)


if __name__ == "__main__":
    main()
