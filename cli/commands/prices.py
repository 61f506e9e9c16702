"""``gal-friday prices``: price history (candles) for the equity curve."""

from __future__ import annotations

from pathlib import Path

import click

from gal_friday.cli.state import State, pass_state


@click.group()
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

    summary = import_prices(
        state.uow_factory(), file, fmt, pair=pair, interval=interval, exchange=exchange
    )
    click.echo(
        f"{file}: {summary.candles_added} {summary.interval} candles of {summary.trading_pair}"
        f" ({summary.exchange}) added, {summary.candles_already_stored} already stored"
    )
