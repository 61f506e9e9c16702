"""``gal-friday``: import trade history, rebuild round-trip trades, report PnL, migrate.

Exit codes: 0 success; 2 bad input (one line on stderr saying what and where);
1 an operational failure (the database cannot be reached). The database URL is
``--database-url``, else ``GALFRIDAY_DATABASE_URL``, else ``sqlite:///galfriday.db``
in the working directory; passwords are never printed.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click
from click.core import ParameterSource

from gal_friday.domain import DomainError, TradeGrouping
from gal_friday.importers import FORMATS, LEDGER_FORMATS, parse_pair_map

if TYPE_CHECKING:  # the heavy modules are imported inside the commands that use them
    from sqlalchemy import Engine

    from gal_friday.domain.performance import Performance
    from gal_friday.domain.rates import RateTable
    from gal_friday.services.ledger_import import LedgerImportSummary

GROUPINGS = {
    "flat-to-flat": TradeGrouping.FLAT_TO_FLAT,
    "fifo": TradeGrouping.FIFO,
    "lifo": TradeGrouping.LIFO,
}


class UserError(Exception):
    """Bad input from the user: exit code 2, one line on stderr."""


class State:
    """What the group's options leave for the commands."""

    # Commands that only read: on SQLite their transactions do not take the write lock.
    READ_ONLY_COMMANDS = frozenset({"report", "current", "check", "audit"})

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
        from gal_friday.persistence.unit_of_work import engine_for

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
            state = "has no schema" if revision is None else f"is at revision {revision}"
            raise UserError(
                f"the database {self.masked_url} {state}; run `gal-friday db upgrade` first"
            )
        return engine


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


RATES_OPTION = click.option(
    "--rates",
    "rates_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="CSV time,asset,quote,rate valuing fees paid in a third asset (docs/import-flow.md).",
)


def _rates(path: Path | None) -> RateTable | None:
    from gal_friday.importers.rates import read_rates

    return read_rates(path) if path is not None else None


@cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(sorted(FORMATS | LEDGER_FORMATS)),
    required=True,
    help="File format.",
)
@click.option("--exchange", default=None, help="Exchange name (default: kraken for Kraken files).")
@click.option(
    "--grouping",
    type=click.Choice(sorted(GROUPINGS)),
    default=None,
    help="Group the touched pairs' trades this way from now on (default: keep each pair's).",
)
@click.option(
    "--pair-map",
    "pair_map",
    multiple=True,
    metavar="CODE=BASE/QUOTE",
    help="Read pair CODE as BASE/QUOTE (repeatable); see docs/importing.md.",
)
@RATES_OPTION
@pass_state
def import_command(
    state: State,
    file: Path,
    fmt: str,
    exchange: str | None,
    grouping: str | None,
    pair_map: tuple[str, ...],
    rates_file: Path | None,
) -> None:
    """Import a trade history FILE in one transaction, then rebuild the touched pairs' trades."""
    from gal_friday.cli.rendering.output import import_progress, plural
    from gal_friday.services.importing import import_history
    from gal_friday.services.ledger_import import ReconcilingUnitOfWork, import_ledger

    codes = parse_pair_map(pair_map)
    rates = _rates(rates_file)
    chosen = GROUPINGS[grouping] if grouping else None
    engine = state.migrated_engine()
    if fmt in LEDGER_FORMATS:
        with import_progress() as progress:
            ledger = import_ledger(
                engine, file, exchange=exchange, grouping=chosen, progress=progress
            )
        _echo_ledger_import(file, ledger)
        return
    with import_progress() as progress:
        summary = import_history(
            engine,
            file,
            fmt,
            exchange=exchange,
            grouping=chosen,
            progress=progress,
            rates=rates,
            pair_map=codes,
            uow_factory=lambda target: ReconcilingUnitOfWork(target, chosen),
        )
    if not summary.changed_anything:
        click.echo(
            f"{file}: nothing new: 0 fills added, {summary.fills_already_stored} already stored"
        )
        return
    pairs = ", ".join(f"{pair} ({exchange})" for exchange, pair in summary.pairs)
    click.echo(
        f"{file}: {plural(summary.fills_added, 'fill')} added in"
        f" {plural(summary.orders_added, 'new order')}"
        f" ({summary.fills_already_stored} already stored, {summary.duplicates_in_file} repeated"
        f" in the file); {plural(summary.trades_rebuilt, 'trade')} rebuilt for {pairs}"
    )


def _echo_ledger_import(file: Path, summary: LedgerImportSummary) -> None:
    click.echo(
        f"{file}: {summary.entries_added} ledger entries added ({summary.pending_added} pending,"
        f" {summary.entries_already_stored} already stored, {summary.duplicates_in_file} repeated"
        " in the file)"
    )
    for exchange, done in summary.reconciled.items():
        pairs = ", ".join(pair for _, pair in done.pairs) or "no pair"
        click.echo(
            f"{exchange}: {done.fills_updated} fill fees taken from the ledger,"
            f" {done.fills_built} fills built from it; {done.trades_rebuilt} trades rebuilt"
            f" for {pairs}"
        )
        if done.one_leg_refids:
            click.echo(
                f"{exchange}: {len(done.one_leg_refids)} one-leg trades kept, not made fills: "
                + ", ".join(done.one_leg_refids)
            )
        if done.unvalued_kfee_refids:
            click.echo(
                f"{exchange}: KFEE fees not valued (pair not quoted in USD): "
                + ", ".join(done.unvalued_kfee_refids)
            )


#: ``gal-friday audit``'s exit code when a balance or a fill disagrees with the ledger.
AUDIT_FAILED = 3


@cli.command()
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@click.pass_context
def audit(ctx: click.Context, fmt: str) -> None:
    """Replay the stored ledger's balances and check the fills against it.

    Exit 0 when everything balances, 3 when something diverges (1 and 2 keep their
    meaning: database unusable, bad input).
    """
    from gal_friday.cli.rendering.audit import audit_json, print_audit
    from gal_friday.cli.rendering.output import console
    from gal_friday.persistence.unit_of_work import UnitOfWork
    from gal_friday.services.audit import audit as run_audit

    state = ctx.find_object(State)
    assert state is not None
    engine = state.migrated_engine()
    with UnitOfWork(engine) as uow:
        result = run_audit(uow)
    if not result.assets:
        raise UserError("no ledger entries stored: import one with --format kraken-ledgers")
    if fmt == "json":
        click.echo(audit_json(result))
    else:
        print_audit(result, console())
    if not result.balanced:
        sys.exit(AUDIT_FAILED)  # like _fail: click's non-standalone main would swallow ctx.exit


@cli.group()
def trades() -> None:
    """Round-trip trades (derived from the stored fills)."""


@trades.command("rebuild")
@click.option(
    "--grouping",
    type=click.Choice(sorted(GROUPINGS)),
    default=None,
    help="Group this way from now on (default: keep each pair's grouping, flat-to-flat if new).",
)
@click.option("--pair", default=None, help="Only this pair: BTC/USD or the exchange's XXBTZUSD.")
@RATES_OPTION
@pass_state
def trades_rebuild(
    state: State, grouping: str | None, pair: str | None, rates_file: Path | None
) -> None:
    """Recompute trades from the stored fills, in one transaction."""
    from gal_friday.cli.rendering.output import plural
    from gal_friday.persistence.unit_of_work import UnitOfWork
    from gal_friday.services.trade_rebuild import rebuild_trades

    only = _pair_option(pair)
    rates = _rates(rates_file)
    engine = state.migrated_engine()
    chosen = GROUPINGS[grouping] if grouping else None
    with UnitOfWork(engine) as uow:
        summary = rebuild_trades(uow, chosen, only, rates)
        uow.commit()
    if not summary.trades_by_pair:
        raise UserError(f"no fills stored{f' for {pair}' if pair else ''}: nothing to rebuild")
    for (exchange, trading_pair), count in summary.trades_by_pair.items():
        kind = summary.groupings[(exchange, trading_pair)].value.lower().replace("_", "-")
        click.echo(f"{trading_pair} ({exchange}): {plural(count, 'trade')} ({kind})")


def _parse_time(value: str | None, option: str) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise UserError(f"{option}: {value!r} is not an ISO date or date-time") from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _pair_option(value: str | None) -> str | None:
    """``--pair`` as ``BASE/QUOTE``: ``BTC/USD``, ``btc/usd`` or the exchange's ``XXBTZUSD``."""
    if value is None:
        return None
    from gal_friday.importers.pairs import normalize_pair

    try:
        return normalize_pair(value)
    except DomainError as exc:
        raise UserError(f"--pair: {exc}") from None


def _check_plot_target(path: Path) -> None:
    """Fail before any work when the chart cannot be written: no folder, or no matplotlib."""
    from gal_friday.cli.rendering.plotting import PlottingUnavailableError, image_formats

    folder = path.parent
    if not folder.is_dir():
        raise UserError(f"--plot: the folder {folder.resolve()} does not exist")
    if not os.access(folder, os.W_OK):
        raise UserError(f"--plot: the folder {folder.resolve()} is not writable")
    try:
        formats = image_formats()
    except PlottingUnavailableError as exc:
        raise UserError(str(exc)) from None
    if path.suffix.lower().lstrip(".") not in formats:
        raise UserError(
            f"--plot: {path} needs an image suffix (.png, .svg, .pdf, ...), not {path.suffix!r}"
        )


def _filters(pair: str | None, since: str | None, until: str | None) -> str:
    given = [("--pair", pair), ("--since", since), ("--until", until)]
    return " ".join(f"{option} {value}" for option, value in given if value)


def _say_when_empty(result: Performance, filters: str, masked_url: str) -> None:
    """A line on stderr when the report has nothing closed to show (stdout stays parseable)."""
    if result.total_trades:
        return
    if not filters:
        if not result.pairs:
            click.echo(f"note: no trades stored in {masked_url}; import a history first", err=True)
        return
    what = "no trades" if not result.pairs else "no closed trades"
    click.echo(f"note: {what} match {filters}", err=True)


@cli.command()
@click.option("--pair", default=None, help="Only this pair: BTC/USD or the exchange's XXBTZUSD.")
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
    help="Also draw the report's cumulative realized PnL per pair to this PNG file.",
)
@click.option(
    "--statistics", is_flag=True, help="Add trade statistics per pair and per currency total."
)
@click.option(
    "--by",
    type=click.Choice(["day", "week", "month", "year"]),
    default=None,
    help="Also total the closed trades per exit day, ISO week, month or year (UTC).",
)
@click.option(
    "--currency",
    default=None,
    help="Convert every closed trade's amounts to this currency with the stored prices.",
)
@click.option(
    "--prices-exchange",
    default=None,
    help="With --currency: exchange whose candles give the rates (needed when several have).",
)
@pass_state
def report(
    state: State,
    pair: str | None,
    since: str | None,
    until: str | None,
    fmt: str,
    plot: Path | None,
    statistics: bool,
    by: str | None,
    currency: str | None,
    prices_exchange: str | None,
) -> None:
    """Report realized PnL per pair and per quote currency, with open trades listed apart."""
    start, end = _parse_time(since, "--since"), _parse_time(until, "--until")
    if start is not None and end is not None and start >= end:
        raise UserError(f"--since {since} is not before --until {until}")
    if fmt == "csv" and statistics and by is not None:
        raise UserError("--format csv: give --statistics or --by, not both (each is its own table)")
    if prices_exchange is not None and currency is None:
        raise UserError("--prices-exchange: only used with --currency")
    trading_pair = _pair_option(pair)
    if plot is not None:
        _check_plot_target(plot)
    engine = state.migrated_engine()
    from gal_friday.persistence.unit_of_work import UnitOfWork
    from gal_friday.services.reporting import build_report

    with UnitOfWork(engine) as uow:
        result = build_report(
            uow, trading_pair, start, end, currency=currency, prices_exchange=prices_exchange
        )
    if fmt == "json":
        from gal_friday.cli.rendering.report_formats import report_json

        click.echo(report_json(result, statistics=statistics, by=by))
    elif fmt == "csv":
        from gal_friday.cli.rendering.report_formats import periods_csv, report_csv

        text = periods_csv(result, by) if by else report_csv(result, statistics=statistics)
        click.echo(text, nl=False)
    else:
        from gal_friday.cli.rendering.output import console, print_report

        print_report(result, console(), statistics=statistics, by=by)
    _say_when_empty(result, _filters(pair, since, until), state.masked_url)
    if plot is not None:
        _plot(result, plot)


def _plot(result: Performance, path: Path) -> None:
    from gal_friday.cli.rendering.output import plural
    from gal_friday.cli.rendering.plotting import plot_cumulative_pnl, plotted_pairs

    currencies = {pair.quote for pair in plotted_pairs(result)}
    try:
        lines = plot_cumulative_pnl(result, path)
    except OSError as exc:
        raise UserError(f"--plot: cannot write {path}: {exc.strerror or exc}") from None
    if not lines:
        click.echo(f"note: no closed trades to plot; {path} not written", err=True)
        return
    click.echo(
        f"plotted {plural(lines, 'pair')} in {plural(len(currencies), 'currency', 'currencies')}"
        f" ({', '.join(sorted(currencies))}) to {path}",
        err=True,
    )


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
        click.option("--start-capital", required=True, help="Capital at the start, in --currency."),
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
        capital = Decimal(text)
    except ArithmeticError:
        raise UserError(f"--start-capital: {text!r} is not a decimal number") from None
    if not capital.is_finite() or capital <= 0:
        raise UserError(f"--start-capital: {text!r} must be a positive amount")
    return capital


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
    from gal_friday.cli.rendering.equity_formats import equity_csv, equity_json
    from gal_friday.cli.rendering.equity_plot import plot_equity, pyplot
    from gal_friday.cli.rendering.output import console
    from gal_friday.cli.rendering.plotting import PlottingUnavailableError
    from gal_friday.persistence.unit_of_work import UnitOfWork
    from gal_friday.services.equity import build_equity

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
        from gal_friday.cli.rendering.equity_tables import print_equity

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
    from gal_friday.persistence.unit_of_work import UnitOfWork
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
@click.option(
    "--database-url",
    "demo_url",
    default=None,
    metavar="URL",
    help="Run the demo in this database (created or migrated if needed) and keep it."
    " Default: a temporary SQLite database, removed afterwards. The demo never uses"
    " the database given to gal-friday itself.",
)
def demo(seed: int, demo_url: str | None) -> None:
    """Run a short deterministic simulated session through every table, then print the report."""
    from gal_friday.cli.demo import demo_database, run_demo
    from gal_friday.cli.rendering.output import console, print_report
    from gal_friday.persistence.database import mask_url, resolve_url
    from gal_friday.persistence.unit_of_work import UnitOfWork
    from gal_friday.services.reporting import build_report

    with demo_database(demo_url) as engine:
        summary = run_demo(engine, seed=seed)
        for line in summary.lines():
            click.echo(line)
        with UnitOfWork(engine) as uow:
            print_report(build_report(uow), console())
    where = mask_url(resolve_url(demo_url)) if demo_url else "a temporary database, now removed"
    click.echo(f"demo database: {where}")


#: Error lines longer than this are cut (a value can be huge: a whole file line, a driver dump).
MAX_ERROR_LENGTH = 300
INTERRUPTED = 130


def one_line(message: str, limit: int = MAX_ERROR_LENGTH) -> str:
    """``message`` on one line, cut to about ``limit`` characters with a note saying so."""
    text = re.sub(r"\s*[\r\n]+\s*", " ", message.strip())
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text) - limit} more characters cut)"


def _fail(message: str, code: int) -> NoReturn:
    click.echo(f"error: {one_line(message)}", err=True)
    sys.exit(code)


class _NeverRaised(Exception):
    """Stands for an error class whose module was never imported, so cannot have been raised."""


def _loaded(module: str, name: str) -> type[Exception]:
    """``module.name`` if ``module`` is already imported, else :class:`_NeverRaised`.

    Matching an exception against a storage error must not import SQLAlchemy (start-up time).
    """
    loaded = sys.modules.get(module)
    return getattr(loaded, name) if loaded is not None else _NeverRaised


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
        _fail("interrupted", INTERRUPTED)
    except click.Abort as exc:
        if isinstance(exc.__cause__, KeyboardInterrupt):
            _fail("interrupted", INTERRUPTED)
        _fail("aborted", 1)
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except (
        UserError,
        DomainError,
        _loaded("gal_friday.persistence.database", "DatabaseURLError"),
        _loaded("gal_friday.persistence.errors", "ConstraintViolationError"),
    ) as exc:
        _fail(str(exc), 2)
    except _loaded("gal_friday.persistence.errors", "StorageError") as exc:
        _fail(str(exc), 1)
    except _loaded("sqlalchemy.exc", "DBAPIError") as exc:  # anything no engine translated
        orig = str(exc.orig).strip()  # type: ignore[attr-defined]
        _fail(f"database error: {mask_reason(orig.splitlines()[0] if orig else 'unknown')}", 1)
    return 0


def mask_reason(reason: str) -> str:
    """A driver message with any ``password=...`` or URL credentials hidden."""
    reason = re.sub(r"(password\s*=\s*)\S+", r"\1***", reason, flags=re.IGNORECASE)
    return re.sub(r"(://[^:/@\s]+:)[^@\s]+@", r"\1***@", reason)


def main() -> None:
    """Console-script entry point."""
    try:
        code = run()
    except KeyboardInterrupt:  # between commands' own handling, e.g. while exiting
        code = INTERRUPTED
    sys.exit(code)


if __name__ == "__main__":
    main()
