"""``gal-friday equity``: the daily mark-to-market equity curve and its statistics."""

from __future__ import annotations

from pathlib import Path

import click

from gal_friday.cli.errors import UserError
from gal_friday.cli.options import OUTPUT_FORMAT_OPTION, equity_options, parse_capital
from gal_friday.cli.state import State, pass_state


@click.command()
@equity_options
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
    from gal_friday.services.equity import build_equity

    if plot is not None:
        try:
            pyplot()  # before any output: a missing extra fails first
        except PlottingUnavailableError as exc:
            raise UserError(str(exc)) from None
    capital = parse_capital(start_capital)
    result = build_equity(
        state.uow_factory(),
        start_capital=capital,
        currency=currency,
        prices_exchange=prices_exchange,
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
