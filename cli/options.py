"""Options and option values more than one command reads: groupings, rates, times, pairs, plots."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from gal_friday.cli.errors import UserError
from gal_friday.domain import DomainError, TradeGrouping

if TYPE_CHECKING:  # the heavy modules are imported inside the functions that use them
    from gal_friday.domain.rates import RateTable

GROUPINGS = {
    "flat-to-flat": TradeGrouping.FLAT_TO_FLAT,
    "fifo": TradeGrouping.FIFO,
    "lifo": TradeGrouping.LIFO,
}

#: How a report is printed: ``table`` (default), ``json`` or ``csv`` (report, equity).
OUTPUT_FORMAT_OPTION = click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
)

RATES_OPTION = click.option(
    "--rates",
    "rates_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="CSV time,asset,quote,rate valuing fees paid in a third asset (docs/import-flow.md).",
)


def rate_table(path: Path | None) -> RateTable | None:
    """The rates of ``--rates`` (None without the option)."""
    from gal_friday.importers.rates import read_rates

    return read_rates(path) if path is not None else None


def parse_time(value: str | None, option: str) -> datetime | None:
    """An ISO date or date-time option as an aware UTC datetime (naive means UTC)."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise UserError(f"{option}: {value!r} is not an ISO date or date-time") from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def pair_option(value: str | None) -> str | None:
    """``--pair`` as ``BASE/QUOTE``: ``BTC/USD``, ``btc/usd`` or the exchange's ``XXBTZUSD``."""
    if value is None:
        return None
    from gal_friday.importers.pairs import normalize_pair

    try:
        return normalize_pair(value)
    except DomainError as exc:
        raise UserError(f"--pair: {exc}") from None


def check_plot_target(path: Path) -> None:
    """Fail before any work when the chart cannot be written: no folder, or no matplotlib."""
    from gal_friday.cli.rendering.plotting import PlottingUnavailableError, image_formats

    if path.is_symlink() or path.exists():
        raise UserError(f"--plot: {path} already exists; remove it or choose another name")
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


def equity_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """``--start-capital``, ``--currency`` and ``--prices-exchange`` (equity, snapshots)."""
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


def parse_capital(text: str) -> Decimal:
    """``--start-capital`` as a positive Decimal."""
    try:
        capital = Decimal(text)
    except ArithmeticError:
        raise UserError(f"--start-capital: {text!r} is not a decimal number") from None
    if not capital.is_finite() or capital <= 0:
        raise UserError(f"--start-capital: {text!r} must be a positive amount")
    return capital
