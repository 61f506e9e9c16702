"""``gal-friday income``: rewards and other income per asset and type (docs/income.md)."""

from __future__ import annotations

import click

from gal_friday.cli.errors import UserError
from gal_friday.cli.options import OUTPUT_FORMAT_OPTION, parse_time
from gal_friday.cli.state import State, pass_state


@click.command()
@click.option(
    "--currency",
    default=None,
    help="Also value each row at its day's close in this currency (stored candles).",
)
@click.option(
    "--prices-exchange",
    default=None,
    help="With --currency: exchange whose candles give the prices (needed when several have).",
)
@click.option("--since", default=None, help="Income booked at or after (ISO, UTC).")
@click.option("--until", default=None, help="Income booked before (ISO, UTC).")
@OUTPUT_FORMAT_OPTION
@pass_state
def income(
    state: State,
    currency: str | None,
    prices_exchange: str | None,
    since: str | None,
    until: str | None,
    fmt: str,
) -> None:
    """Staking and earn rewards, airdrops and bonuses from the ledger, per asset and type.

    Amounts are what each row added (amount - fee); with --currency each row is valued
    at the close of its own UTC day (a staked DOT.S at DOT's price). A missing price is
    named, never guessed; the command still exits 0.
    """
    start, end = parse_time(since, "--since"), parse_time(until, "--until")
    if start is not None and end is not None and start >= end:
        raise UserError(f"--since {since} is not before --until {until}")
    if prices_exchange is not None and currency is None:
        raise UserError("--prices-exchange: only used with --currency")
    from gal_friday.services.income import income as run_income

    summary = run_income(
        state.uow_factory(), start, end, currency=currency, prices_exchange=prices_exchange
    )
    if fmt == "json":
        from gal_friday.cli.rendering.income import income_json

        click.echo(income_json(summary))
    elif fmt == "csv":
        from gal_friday.cli.rendering.income import income_csv

        click.echo(income_csv(summary), nl=False)
    else:
        from gal_friday.cli.rendering.income import print_income
        from gal_friday.cli.rendering.output import console

        print_income(summary, console())
