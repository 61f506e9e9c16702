"""``gal-friday snapshots``: portfolio snapshots stored from the equity curve."""

from __future__ import annotations

import click

from gal_friday.cli.options import equity_options, parse_capital
from gal_friday.cli.state import State, pass_state


@click.group()
def snapshots() -> None:
    """Portfolio snapshots."""


@snapshots.command("rebuild")
@equity_options
@pass_state
def snapshots_rebuild(
    state: State, start_capital: str, currency: str, prices_exchange: str | None
) -> None:
    """Store one snapshot per day of the equity curve, replacing those a rebuild made."""
    from gal_friday.services.equity import rebuild_snapshots

    capital = parse_capital(start_capital)
    done = rebuild_snapshots(
        state.uow_factory(),
        start_capital=capital,
        currency=currency,
        prices_exchange=prices_exchange,
    )
    days = done.report.days
    click.echo(
        f"{done.added} daily snapshots stored ({days[0].date} to {days[-1].date}),"
        f" {done.removed} from an earlier rebuild replaced"
    )
