"""``gal-friday trades``: the round-trip trades derived from the stored fills."""

from __future__ import annotations

from pathlib import Path

import click

from gal_friday.cli.errors import UserError
from gal_friday.cli.options import GROUPINGS, RATES_OPTION, pair_option, rate_table
from gal_friday.cli.state import State, pass_state


@click.group()
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
    from gal_friday.services.trade_rebuild import rebuild_trades

    only = pair_option(pair)
    rates = rate_table(rates_file)
    uow_factory = state.uow_factory()
    chosen = GROUPINGS[grouping] if grouping else None
    summary = rebuild_trades(uow_factory, chosen, only, rates)
    if not summary.trades_by_pair:
        raise UserError(f"no fills stored{f' for {pair}' if pair else ''}: nothing to rebuild")
    for (exchange, trading_pair), count in summary.trades_by_pair.items():
        kind = summary.groupings[(exchange, trading_pair)].value.lower().replace("_", "-")
        click.echo(f"{trading_pair} ({exchange}): {plural(count, 'trade')} ({kind})")
