"""``gal-friday``: import trade history, rebuild round-trip trades, report PnL, migrate.

Exit codes: 0 success; 2 bad input (one line on stderr saying what and where);
1 an operational failure (the database cannot be reached). The database URL is
``--database-url``, else ``GALFRIDAY_DATABASE_URL``, else ``sqlite:///galfriday.db``
in the working directory; passwords are never printed.

The root group and its options are here; each command group is a module of
:mod:`gal_friday.cli.commands`.
"""

from __future__ import annotations

import contextlib
import errno
import os
import select
import sys
import traceback
from collections.abc import Callable
from typing import Any

import click

from gal_friday.cli.commands.audit import audit
from gal_friday.cli.commands.db import db
from gal_friday.cli.commands.demo import demo
from gal_friday.cli.commands.equity import equity
from gal_friday.cli.commands.importing import import_command
from gal_friday.cli.commands.income import income
from gal_friday.cli.commands.positions import balances, positions
from gal_friday.cli.commands.prices import prices
from gal_friday.cli.commands.report import report
from gal_friday.cli.commands.risk import risk
from gal_friday.cli.commands.snapshots import snapshots
from gal_friday.cli.commands.tearsheet import tearsheet
from gal_friday.cli.commands.trades import trades
from gal_friday.cli.driver_noise import quiet_driver_noise
from gal_friday.cli.errors import INTERRUPTED, SCHEMA_CONFLICT, fail, loaded, mask_reason
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


for _command in (
    db,
    import_command,
    audit,
    income,
    trades,
    report,
    prices,
    equity,
    snapshots,
    tearsheet,
    positions,
    balances,
    risk,
    demo,
):
    cli.add_command(_command)


def run(command: Callable[..., Any] = cli, args: list[str] | None = None) -> int:
    """Run the command line: bad input exits 2, an unusable database 1, Ctrl-C 130.

    One line on stderr, never a traceback. A constraint the database enforces is bad
    input (the database works; it refused the data); every other storage error means
    the database cannot be used (``docs/database.md``).
    """
    quiet_driver_noise()
    try:
        command.main(args=args, prog_name="gal-friday", standalone_mode=False)  # type: ignore[attr-defined]
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except BrokenPipeError:  # `| head` closed the pipe: what it read is what it asked for
        _silence_stdout()
        return 0
    except SystemExit as exc:  # click's own answer to a closed pipe is exit 1, without a word
        if exc.code != 1 or not _reader_gone():
            raise
        _silence_stdout()
        return 0
    except OSError as exc:
        if not _is_stdout_error(exc):
            raise
        _silence_stdout()
        fail(f"cannot write the output: {exc.strerror or exc}", 1)
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
    except loaded("gal_friday.persistence.errors", "SchemaConflictError") as exc:
        fail(str(exc), SCHEMA_CONFLICT)
    except loaded("gal_friday.persistence.errors", "StorageError") as exc:
        fail(str(exc), 1)
    except loaded("sqlalchemy.exc", "DBAPIError") as exc:  # anything no engine translated
        orig = str(exc.orig).strip()  # type: ignore[attr-defined]
        fail(f"database error: {mask_reason(orig.splitlines()[0] if orig else 'unknown')}", 1)
    return 0


def _is_stdout_error(exc: OSError) -> bool:
    """True when ``exc`` comes from writing to standard output (a full disk, a closed pipe)."""
    return exc.errno in (errno.ENOSPC, errno.EPIPE, errno.EIO, errno.EDQUOT, errno.EFBIG) and any(
        frame.f_code.co_name in _WRITERS for frame, _ in traceback.walk_tb(exc.__traceback__)
    )


#: Functions whose OSError is a failed write of the output, not of a file the command makes.
_WRITERS = frozenset({"_write_buffer", "echo"})


def _reader_gone() -> bool:
    """True when standard output is a pipe whose reader has closed it (``| head``)."""
    try:
        poller = select.poll()
        poller.register(sys.stdout.fileno(), 0)  # no event asked: errors and hang-ups only
        return any(events & select.POLLERR for _, events in poller.poll(0))
    except (OSError, ValueError, AttributeError):
        return False


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's final flush cannot fail again."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def main() -> None:
    """Console-script entry point."""
    try:
        code = run()
    except KeyboardInterrupt:  # between commands' own handling, e.g. while exiting
        code = INTERRUPTED
    sys.exit(code)


if __name__ == "__main__":
    main()
