"""``gal-friday report``: realized PnL per pair and per quote currency."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from gal_friday.cli.errors import UserError
from gal_friday.cli.options import (
    OUTPUT_FORMAT_OPTION,
    check_plot_target,
    pair_option,
    parse_time,
)
from gal_friday.cli.state import State, pass_state
from gal_friday.domain.attribution_groups import GROUPS

if TYPE_CHECKING:  # the heavy modules are imported inside the command
    from datetime import datetime

    from gal_friday.domain.execution_groups import ExecutionGroup
    from gal_friday.domain.performance import Performance
    from gal_friday.services.ports import UnitOfWorkFactory


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


@click.command()
@click.option("--pair", default=None, help="Only this pair: BTC/USD or the exchange's XXBTZUSD.")
@click.option("--since", default=None, help="Closed trades exited at or after (ISO, UTC).")
@click.option("--until", default=None, help="Closed trades exited before (ISO, UTC).")
@OUTPUT_FORMAT_OPTION
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
    type=click.Choice(["day", "week", "month", "year", "strategy", "signal", "exit-reason"]),
    default=None,
    help="Also total the closed trades per exit day, ISO week, month or year (UTC), "
    "or per strategy, signal or exit reason (docs/attribution.md).",
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
@click.option(
    "--execution",
    is_flag=True,
    help="With --by strategy|signal|exit-reason: each group's signal edge, slippage, fees, "
    "MAE/MFE and R-multiples (docs/execution.md).",
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
    execution: bool,
) -> None:
    """Report realized PnL per pair and per quote currency, with open trades listed apart."""
    start, end = parse_time(since, "--since"), parse_time(until, "--until")
    if start is not None and end is not None and start >= end:
        raise UserError(f"--since {since} is not before --until {until}")
    if fmt == "csv" and statistics and by is not None:
        raise UserError("--format csv: give --statistics or --by, not both (each is its own table)")
    if prices_exchange is not None and currency is None:
        raise UserError("--prices-exchange: only used with --currency")
    if execution and by not in GROUPS:
        raise UserError("--execution: give --by strategy, signal or exit-reason")
    if execution and currency is not None:
        raise UserError(
            "--execution: the figures are in each pair's quote currency; drop --currency"
        )
    trading_pair = pair_option(pair)
    if plot is not None:
        check_plot_target(plot)
    uow_factory = state.uow_factory()
    from gal_friday.persistence.fastpath.gc_pause import gc_paused
    from gal_friday.services.reporting import build_report

    # 100,000s of plain figures made and summed, no reference cycles: the collector's passes
    # would only cost (docs/performance.md); the command pauses it for the whole report
    with gc_paused():
        result = build_report(
            uow_factory,
            trading_pair,
            start,
            end,
            currency=currency,
            prices_exchange=prices_exchange,
        )
    groups = _execution_groups(uow_factory, trading_pair, start, end, by) if execution else None
    if fmt == "json":
        from gal_friday.cli.rendering.report_formats import report_json

        text = report_json(result, statistics=statistics, by=by)
        if groups is not None:
            from gal_friday.cli.rendering.execution_formats import with_execution

            text = with_execution(text, groups)
        click.echo(text)
    elif fmt == "csv":
        from gal_friday.cli.rendering.report_formats import groups_csv, periods_csv, report_csv

        if groups is not None:
            from gal_friday.cli.rendering.execution_formats import execution_csv

            text = execution_csv(groups)
        elif by in GROUPS:
            text = groups_csv(result, by)
        else:
            text = periods_csv(result, by) if by else report_csv(result, statistics=statistics)
        click.echo(text, nl=False)
    else:
        from gal_friday.cli.rendering.output import console, print_report
        from gal_friday.cli.rendering.report_groups import print_groups, print_realized

        out = console()
        print_report(result, out, statistics=statistics, by=None if by in GROUPS else by)
        if by in GROUPS:
            print_groups(out, result, by)
        if groups is not None:
            from gal_friday.cli.rendering.execution_formats import print_execution

            print_execution(out, groups)
        print_realized(out, result)
    _say_when_empty(result, _filters(pair, since, until), state.masked_url)
    if plot is not None:
        _plot(result, plot)


def _execution_groups(
    uow_factory: UnitOfWorkFactory,
    trading_pair: str | None,
    start: datetime | None,
    end: datetime | None,
    by: str | None,
) -> list[ExecutionGroup]:
    from gal_friday.domain.execution_groups import execution_groups
    from gal_friday.services.execution import trade_quality

    return execution_groups(trade_quality(uow_factory, trading_pair, start, end), by or "")


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
