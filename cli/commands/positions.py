"""``gal-friday positions`` and ``gal-friday balances``: what is held (docs/reads.md)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

import click

from gal_friday.cli.errors import UserError
from gal_friday.cli.options import OUTPUT_FORMAT_OPTION, pair_option
from gal_friday.cli.state import State, pass_state

#: ``--mark PAIR=PRICE``, repeatable (positions, risk).
MARK_OPTION = click.option(
    "--mark",
    "marks",
    multiple=True,
    metavar="PAIR=PRICE",
    help="Mark price of a pair (BTC/USD=43000 or XXBTZUSD=43000); repeat for more pairs.",
)


def parse_marks(values: tuple[str, ...]) -> dict[str, Decimal]:
    """``--mark`` values as prices by pair; a bad one is a user error naming it."""
    marks: dict[str, Decimal] = {}
    for text in values:
        pair_text, sep, price_text = text.partition("=")
        if not sep or not pair_text.strip() or not price_text.strip():
            raise UserError(f"--mark: {text!r} is not PAIR=PRICE (e.g. BTC/USD=43000)")
        pair = pair_option(pair_text.strip())
        if pair is None:  # pair_option gives None only for no text, refused above
            raise UserError(f"--mark: {text!r} names no pair")
        try:
            price = Decimal(price_text.strip())
        except InvalidOperation:
            raise UserError(f"--mark {pair}: {price_text!r} is not a decimal number") from None
        if not price.is_finite() or price <= 0:
            raise UserError(f"--mark {pair}: the price must be positive, not {price_text!r}")
        if pair in marks and marks[pair] != price:
            raise UserError(f"--mark {pair}: given twice with different prices")
        marks[pair] = price
    return marks


@click.command()
@MARK_OPTION
@click.option("--pair", default=None, help="Only this pair: BTC/USD or the exchange's XXBTZUSD.")
@OUTPUT_FORMAT_OPTION
@pass_state
def positions(state: State, marks: tuple[str, ...], pair: str | None, fmt: str) -> None:
    """Net position per pair from the open trades; unrealized PnL at the --mark prices."""
    from gal_friday.cli.rendering import reads
    from gal_friday.services.positions import read_positions

    held = read_positions(state.uow_factory(), parse_marks(marks), trading_pair=pair_option(pair))
    if fmt == "json":
        click.echo(reads.positions_json(held))
    elif fmt == "csv":
        click.echo(reads.positions_csv(held), nl=False)
    else:
        from gal_friday.cli.rendering.output import console

        if not held:
            click.echo("note: no open positions", err=True)
        reads.print_positions(held, console())


@click.command()
@click.option("--exchange", default=None, help="Only this exchange (e.g. kraken).")
@OUTPUT_FORMAT_OPTION
@pass_state
def balances(state: State, exchange: str | None, fmt: str) -> None:
    """Holdings per exchange and asset: fills, their fees, and ledger deposits, withdrawals,
    transfers and income."""
    from gal_friday.cli.rendering import reads
    from gal_friday.services.positions import read_balances

    venue = None
    if exchange is not None:
        from gal_friday.domain.values import exchange_id

        venue = exchange_id(exchange, "--exchange")
    held = read_balances(state.uow_factory(), exchange=venue)
    if fmt == "json":
        click.echo(reads.balances_json(held))
    elif fmt == "csv":
        click.echo(reads.balances_csv(held), nl=False)
    else:
        from gal_friday.cli.rendering.output import console

        if not held:
            click.echo("note: no holdings", err=True)
        reads.print_balances(held, console())
