"""``gal-friday risk``: the risk figures: realized PnL, streak, exposure, drawdowns."""

from __future__ import annotations

import click

from gal_friday.cli.commands.positions import MARK_OPTION, parse_marks
from gal_friday.cli.options import OUTPUT_FORMAT_OPTION, parse_time
from gal_friday.cli.state import State, pass_state

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@click.command()
@click.option(
    "--reset-hour",
    type=click.IntRange(0, 23),
    default=0,
    show_default=True,
    help="Hour (UTC) at which a risk day starts.",
)
@click.option(
    "--week-start",
    type=click.Choice(WEEKDAYS, case_sensitive=False),
    default="mon",
    show_default=True,
    help="Day on which a risk week starts.",
)
@MARK_OPTION
@click.option("--at", "at_text", default=None, help="As of this time (ISO, UTC; default now).")
@OUTPUT_FORMAT_OPTION
@pass_state
def risk(
    state: State,
    reset_hour: int,
    week_start: str,
    marks: tuple[str, ...],
    at_text: str | None,
    fmt: str,
) -> None:
    """Realized PnL of the current day, week and month, the streak, exposure and drawdowns."""
    from gal_friday.cli.rendering import reads
    from gal_friday.domain.risk import ResetSchedule
    from gal_friday.services.risk import risk_figures

    schedule = ResetSchedule(reset_hour, WEEKDAYS.index(week_start.lower()))
    figures = risk_figures(
        state.uow_factory(),
        at=parse_time(at_text, "--at"),
        schedule=schedule,
        marks=parse_marks(marks),
    )
    if fmt == "json":
        click.echo(reads.risk_json(figures))
    elif fmt == "csv":
        click.echo(reads.risk_csv(figures), nl=False)
    else:
        from gal_friday.cli.rendering.output import console

        reads.print_risk(figures, console())
