"""``gal-friday``: import trade history, rebuild round-trip trades, report PnL, migrate.

Exit codes: 0 success; 2 bad input (one line on stderr saying what and where);
1 an operational failure (the database cannot be reached). The database URL is
``--database-url``, else ``GALFRIDAY_DATABASE_URL``, else ``sqlite:///galfriday.db``
in the working directory; passwords are never printed.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, NoReturn

import click
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, OperationalError

from gal_friday.cli.output import console, import_progress, print_report
from gal_friday.domain import DomainError, TradeGrouping
from gal_friday.importers import FORMATS, parse_pair_map
from gal_friday.persistence import schema
from gal_friday.persistence.database import DatabaseURLError, mask_url, resolve_url
from gal_friday.persistence.unit_of_work import UnitOfWork, engine_for
from gal_friday.services.importing import import_history
from gal_friday.services.plotting import PlottingUnavailableError, plot_cumulative_pnl
from gal_friday.services.report_formats import report_csv, report_json
from gal_friday.services.reporting import build_report
from gal_friday.services.trade_rebuild import rebuild_trades

GROUPINGS = {
    "flat-to-flat": TradeGrouping.FLAT_TO_FLAT,
    "fifo": TradeGrouping.FIFO,
    "lifo": TradeGrouping.LIFO,
}


class UserError(Exception):
    """Bad input from the user: exit code 2, one line on stderr."""


class State:
    """What the group's options leave for the commands."""

    def __init__(self, database_url: str | None) -> None:
        self.database_url = database_url

    @property
    def masked_url(self) -> str:
        return mask_url(resolve_url(self.database_url))

    def engine(self) -> Engine:
        return engine_for(self.database_url)

    def migrated_engine(self) -> Engine:
        """The engine, after checking the schema is at the newest revision."""
        engine = self.engine()
        revision = schema.current(engine)
        if revision != schema.head():
            state = "has no schema" if revision is None else f"is at revision {revision}"
            raise UserError(
                f"the database {self.masked_url} {state}; run `gal-friday db upgrade` first"
            )
        return engine


pass_state = click.make_pass_decorator(State)


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


@cli.group()
def db() -> None:
    """Create and migrate the database schema."""


@db.command("upgrade")
@click.argument("revision", default="head")
@pass_state
def db_upgrade(state: State, revision: str) -> None:
    """Migrate the schema up to REVISION (default: the newest)."""
    schema.upgrade(state.engine(), revision)
    click.echo(f"{state.masked_url} is at revision {schema.current(state.engine())}")


@db.command("downgrade")
@click.argument("revision")
@pass_state
def db_downgrade(state: State, revision: str) -> None:
    """Migrate the schema down to REVISION (`base` drops every table)."""
    schema.downgrade(state.engine(), revision)
    click.echo(f"{state.masked_url} is at revision {schema.current(state.engine())}")


@db.command("current")
@pass_state
def db_current(state: State) -> None:
    """Print the revision the database is at."""
    revision = schema.current(state.engine())
    head = schema.head()
    status = "up to date" if revision == head else f"newest is {head}"
    click.echo(f"{revision or 'no schema'} ({status})")


@db.command("check")
@pass_state
def db_check(state: State) -> None:
    """Fail (exit 2) when the schema differs from the models or is not at the newest revision."""
    engine = state.migrated_engine()
    differences = schema.check(engine)
    if differences:
        raise UserError(f"the schema differs from the models: {differences}")
    click.echo("the schema matches the models")


@cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--format", "fmt", type=click.Choice(sorted(FORMATS)), required=True, help="File format."
)
@click.option("--exchange", default=None, help="Exchange name (default: kraken for Kraken files).")
@click.option(
    "--grouping", type=click.Choice(sorted(GROUPINGS)), default="flat-to-flat", show_default=True
)
@click.option(
    "--pair-map",
    "pair_map",
    multiple=True,
    metavar="CODE=BASE/QUOTE",
    help="Read pair CODE as BASE/QUOTE (repeatable); see docs/importing.md.",
)
@pass_state
def import_command(
    state: State,
    file: Path,
    fmt: str,
    exchange: str | None,
    grouping: str,
    pair_map: tuple[str, ...],
) -> None:
    """Import a trade history FILE in one transaction, then rebuild the touched pairs' trades."""
    codes = parse_pair_map(pair_map)
    engine = state.migrated_engine()
    with file.open("rb") as handle:
        rows = max(sum(1 for _ in handle) - 1, 0)
    with import_progress(rows) as progress:
        summary = import_history(
            engine,
            file,
            fmt,
            exchange=exchange,
            grouping=GROUPINGS[grouping],
            progress=progress,
            pair_map=codes,
        )
    if not summary.changed_anything:
        click.echo(
            f"{file}: nothing new: 0 fills added, {summary.fills_already_stored} already stored"
        )
        return
    pairs = ", ".join(f"{pair} ({exchange})" for exchange, pair in summary.pairs)
    click.echo(
        f"{file}: {summary.fills_added} fills added in {summary.orders_added} new orders"
        f" ({summary.fills_already_stored} already stored, {summary.duplicates_in_file} repeated"
        f" in the file); {summary.trades_rebuilt} trades rebuilt for {pairs}"
    )


@cli.group()
def trades() -> None:
    """Round-trip trades (derived from the stored fills)."""


@trades.command("rebuild")
@click.option(
    "--grouping", type=click.Choice(sorted(GROUPINGS)), default="flat-to-flat", show_default=True
)
@click.option("--pair", default=None, help="Only this trading pair (e.g. BTC/USD).")
@pass_state
def trades_rebuild(state: State, grouping: str, pair: str | None) -> None:
    """Recompute trades from the stored fills, in one transaction."""
    engine = state.migrated_engine()
    with UnitOfWork(engine) as uow:
        summary = rebuild_trades(uow, GROUPINGS[grouping], pair.upper() if pair else None)
        uow.commit()
    if not summary.trades_by_pair:
        raise UserError(f"no fills stored{f' for {pair}' if pair else ''}: nothing to rebuild")
    for (exchange, trading_pair), count in summary.trades_by_pair.items():
        click.echo(f"{trading_pair} ({exchange}): {count} trades")


def _parse_time(value: str | None, option: str) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise UserError(f"{option}: {value!r} is not an ISO date or date-time") from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


@cli.command()
@click.option("--pair", default=None, help="Only this trading pair (e.g. BTC/USD).")
@click.option("--since", default=None, help="Closed trades exited at or after (ISO, UTC).")
@click.option("--until", default=None, help="Closed trades exited before (ISO, UTC).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
)
@click.option(
    "--plot",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also draw cumulative realized PnL per pair to this PNG file.",
)
@pass_state
def report(
    state: State,
    pair: str | None,
    since: str | None,
    until: str | None,
    fmt: str,
    plot: Path | None,
) -> None:
    """Report realized PnL per pair and in total, with open trades listed apart."""
    start, end = _parse_time(since, "--since"), _parse_time(until, "--until")
    engine = state.migrated_engine()
    with UnitOfWork(engine) as uow:
        result = build_report(uow, pair.upper() if pair else None, start, end)
        stored = uow.trades.all(pair.upper() if pair else None) if plot else []
    if fmt == "json":
        click.echo(report_json(result))
    elif fmt == "csv":
        click.echo(report_csv(result), nl=False)
    else:
        print_report(result, console())
    if plot is not None:
        try:
            lines = plot_cumulative_pnl(stored, plot)
        except PlottingUnavailableError as exc:
            raise UserError(str(exc)) from None
        click.echo(f"plotted {lines} pairs to {plot}", err=True)


@cli.group()
def prices() -> None:
    """Price history (candles) for the equity curve; see docs/analytics.md."""


@prices.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["kraken-ohlcvt", "ccxt-ohlcv"]),
    required=True,
    help="File format.",
)
@click.option("--pair", default=None, help="Trading pair (default: from a Kraken file name).")
@click.option("--interval", default=None, help="1m, 1h, 1d ... (default: from a Kraken file name).")
@click.option("--exchange", default="kraken", show_default=True, help="Exchange of the prices.")
@pass_state
def prices_import(
    state: State, file: Path, fmt: str, pair: str | None, interval: str | None, exchange: str
) -> None:
    """Import a candle FILE in one transaction; re-importing adds nothing."""
    from gal_friday.services.prices import import_prices

    engine = state.migrated_engine()
    summary = import_prices(engine, file, fmt, pair=pair, interval=interval, exchange=exchange)
    click.echo(
        f"{file}: {summary.candles_added} {summary.interval} candles of {summary.trading_pair}"
        f" ({summary.exchange}) added, {summary.candles_already_stored} already stored"
    )


def _equity_options(command: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option(
            "--start-capital", required=True, help="Capital at the start, in --currency."
        ),
        click.option("--currency", required=True, help="Reporting currency (e.g. USD)."),
        click.option(
            "--prices-exchange",
            default=None,
            help="Exchange whose candles price the assets (needed when several have).",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _start_capital(text: str) -> Decimal:
    try:
        return Decimal(text)
    except ArithmeticError:
        raise UserError(f"--start-capital: {text!r} is not a decimal number") from None


@cli.command()
@_equity_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
)
@click.option(
    "--plot",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also draw the equity curve and its underwater panel to this PNG file.",
)
@pass_state
def equity(
    state: State,
    start_capital: str,
    currency: str,
    prices_exchange: str | None,
    fmt: str,
    plot: Path | None,
) -> None:
    """Daily mark-to-market equity in one currency, its statistics and drawdowns."""
    from gal_friday.services.equity import build_equity
    from gal_friday.services.equity_formats import equity_csv, equity_json
    from gal_friday.services.equity_plot import plot_equity, pyplot

    if plot is not None:
        try:
            pyplot()  # before any output: a missing extra fails first
        except PlottingUnavailableError as exc:
            raise UserError(str(exc)) from None
    capital = _start_capital(start_capital)
    engine = state.migrated_engine()
    with UnitOfWork(engine) as uow:
        result = build_equity(
            uow, start_capital=capital, currency=currency, prices_exchange=prices_exchange
        )
    if fmt == "json":
        click.echo(equity_json(result))
    elif fmt == "csv":
        click.echo(equity_csv(result), nl=False)
    else:
        from gal_friday.cli.equity_output import print_equity

        print_equity(result, console())
    if plot is not None:
        plot_equity(result, plot)
        click.echo(f"plotted {len(result.days)} days to {plot}", err=True)


@cli.group()
def snapshots() -> None:
    """Portfolio snapshots."""


@snapshots.command("rebuild")
@_equity_options
@pass_state
def snapshots_rebuild(
    state: State, start_capital: str, currency: str, prices_exchange: str | None
) -> None:
    """Store one snapshot per day of the equity curve, replacing those a rebuild made."""
    from gal_friday.services.equity import build_equity, rebuild_snapshots

    capital = _start_capital(start_capital)
    engine = state.migrated_engine()
    with UnitOfWork(engine) as uow:
        result = build_equity(
            uow, start_capital=capital, currency=currency, prices_exchange=prices_exchange
        )
        removed, added = rebuild_snapshots(uow, result)
        uow.commit()
    click.echo(
        f"{added} daily snapshots stored ({result.days[0].date} to {result.days[-1].date}),"
        f" {removed} from an earlier rebuild replaced"
    )


@cli.command()
@click.option("--seed", default=7, show_default=True, help="Seed of the simulated session.")
@pass_state
def demo(state: State, seed: int) -> None:
    """Run a short deterministic simulated session through every table, then print the report."""
    from gal_friday.services.demo import run_demo

    engine = state.migrated_engine()
    summary = run_demo(engine, seed=seed)
    for line in summary.lines():
        click.echo(line)
    with UnitOfWork(engine) as uow:
        print_report(build_report(uow), console())


def _fail(message: str, code: int) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def run(command: Callable[..., Any] = cli, args: list[str] | None = None) -> int:
    """Run the command line; user errors exit 2, operational failures 1, never a traceback."""
    try:
        command.main(args=args, prog_name="gal-friday", standalone_mode=False)  # type: ignore[attr-defined]
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.Abort:
        _fail("aborted", 1)
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except (UserError, DomainError, DatabaseURLError) as exc:
        _fail(str(exc), 2)
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if str(exc.orig).strip() else "unknown"
        _fail(f"cannot use the database: {mask_reason(reason)}", 1)
    except DBAPIError as exc:
        _fail(f"database error: {mask_reason(str(exc.orig).strip().splitlines()[0])}", 1)
    return 0


def mask_reason(reason: str) -> str:
    """A driver message with any ``password=...`` or URL credentials hidden."""
    import re

    reason = re.sub(r"(password\s*=\s*)\S+", r"\1***", reason, flags=re.IGNORECASE)
    return re.sub(r"(://[^:/@\s]+:)[^@\s]+@", r"\1***@", reason)


def main() -> None:
    """Console-script entry point."""
    sys.exit(run())


if __name__ == "__main__":
    main()
