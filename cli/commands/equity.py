"""``gal-friday equity``: the daily mark-to-market equity curve, its returns and statistics."""

from __future__ import annotations

from pathlib import Path

import click

from gal_friday.cli.options import OUTPUT_FORMAT_OPTION, check_plot_target, parse_capital
from gal_friday.cli.state import State, pass_state
from gal_friday.domain.equity_notes import MAX_STALE_DAYS


@click.command()
@click.option(
    "--start-capital",
    default=None,
    help="Cash in --currency before the first fill; the fills alone are folded over it. "
    "Leave it out to take opening balances, deposits and withdrawals from the stored ledger.",
)
@click.option("--currency", required=True, help="Reporting currency (e.g. USD).")
@click.option(
    "--prices-exchange",
    default=None,
    help="Exchange whose candles price the assets (needed when several have).",
)
@click.option(
    "--max-stale-days",
    type=click.IntRange(min=0),
    default=MAX_STALE_DAYS,
    show_default=True,
    help="List a pair whose close is carried forward over more days than this.",
)
@OUTPUT_FORMAT_OPTION
@click.option(
    "--plot",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also draw the equity curve and its underwater panel to this PNG file.",
)
@pass_state
def equity(
    state: State,
    start_capital: str | None,
    currency: str,
    prices_exchange: str | None,
    max_stale_days: int,
    fmt: str,
    plot: Path | None,
) -> None:
    """Daily equity in one currency: time- and money-weighted returns, statistics,
    drawdowns and notes (docs/analytics.md)."""
    from gal_friday.cli.rendering.equity_formats import equity_csv, equity_json
    from gal_friday.cli.rendering.equity_notes import note_lines
    from gal_friday.cli.rendering.equity_plot import plot_equity
    from gal_friday.cli.rendering.output import console
    from gal_friday.services.equity import build_equity

    if plot is not None:  # before any output: a bad name, folder or missing extra fails first
        check_plot_target(plot)
    capital = None if start_capital is None else parse_capital(start_capital)
    result = build_equity(
        state.uow_factory(),
        start_capital=capital,
        currency=currency,
        prices_exchange=prices_exchange,
        max_stale_days=max_stale_days,
    )
    if fmt == "json":
        click.echo(equity_json(result))
    elif fmt == "csv":
        click.echo(equity_csv(result), nl=False)
        for line in note_lines(result):  # the CSV stays one row per day
            click.echo(f"note: {line}", err=True)
    else:
        from gal_friday.cli.rendering.equity_tables import print_equity

        print_equity(result, console())
    if plot is not None:
        plot_equity(result, plot)
        click.echo(f"plotted {len(result.days)} days to {plot}", err=True)
