"""``gal-friday import``: a trade history or ledger file, then the touched pairs' trades."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from gal_friday.cli.errors import UserError
from gal_friday.cli.options import GROUPINGS, RATES_OPTION, rate_table
from gal_friday.cli.state import State, pass_state
from gal_friday.importers import FORMATS, LEDGER_FORMATS, parse_pair_map

if TYPE_CHECKING:  # the heavy modules are imported inside the command
    from gal_friday.domain.account_book import FillDifference
    from gal_friday.services.ledger_import import LedgerImportSummary


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(sorted(FORMATS | LEDGER_FORMATS)),
    required=True,
    help="File format.",
)
@click.option("--exchange", default=None, help="Exchange name (default: kraken for Kraken files).")
@click.option(
    "--grouping",
    type=click.Choice(sorted(GROUPINGS)),
    default=None,
    help="Group the touched pairs' trades this way from now on (default: keep each pair's).",
)
@click.option(
    "--pair-map",
    "pair_map",
    multiple=True,
    metavar="CODE=BASE/QUOTE",
    help="Read pair CODE as BASE/QUOTE (repeatable); see docs/importing.md.",
)
@click.option(
    "--derivatives",
    type=click.Choice(["skip", "refuse"]),
    default=None,
    help="ccxt-trades only: leave derivatives trades (BASE/QUOTE:SETTLE) out and count them"
    " (skip, the default), or stop at the first (refuse).",
)
@RATES_OPTION
@pass_state
def import_command(
    state: State,
    file: Path,
    fmt: str,
    exchange: str | None,
    grouping: str | None,
    pair_map: tuple[str, ...],
    derivatives: str | None,
    rates_file: Path | None,
) -> None:
    """Import a trade history FILE in one transaction, then rebuild the touched pairs' trades."""
    from gal_friday.cli.rendering.output import import_progress, plural
    from gal_friday.services.importing import import_history
    from gal_friday.services.ledger_import import import_ledger

    codes = parse_pair_map(pair_map)
    rates = rate_table(rates_file)
    chosen = GROUPINGS[grouping] if grouping else None
    if derivatives is not None and fmt != "ccxt-trades":
        raise UserError("--derivatives applies to --format ccxt-trades only")
    uow_factory = state.uow_factory()
    if fmt in LEDGER_FORMATS:
        with import_progress() as progress:
            ledger = import_ledger(
                uow_factory, file, exchange=exchange, grouping=chosen, progress=progress
            )
        _echo_ledger_import(file, ledger)
        return
    with import_progress() as progress:
        summary = import_history(
            uow_factory,
            file,
            fmt,
            exchange=exchange,
            grouping=chosen,
            progress=progress,
            rates=rates,
            pair_map=codes,
            derivatives=derivatives,
        )
    if not summary.changed_anything:
        click.echo(
            f"{file}: nothing new: 0 fills added, {summary.fills_already_stored} already stored"
        )
        _echo_notes(summary.notes)
        return
    pairs = ", ".join(f"{pair} ({exchange})" for exchange, pair in summary.pairs)
    click.echo(
        f"{file}: {plural(summary.fills_added, 'fill')} added in"
        f" {plural(summary.orders_added, 'new order')}"
        f" ({summary.fills_already_stored} already stored, {summary.duplicates_in_file} repeated"
        f" in the file); {plural(summary.trades_rebuilt, 'trade')} rebuilt for {pairs}"
    )
    _echo_notes(summary.notes)
    _echo_differences(summary.differences)


def _echo_notes(notes: list[str]) -> None:
    """What the reader says about the file (ccxt: the derivatives trades it skipped)."""
    for note in notes:
        click.echo(f"note: {note}")


def _echo_differences(differences: list[FillDifference]) -> None:
    """Where trades.csv and the ledger differ: the ledger's figures were taken."""
    from gal_friday.cli.rendering.output import plural

    if not differences:
        return
    fills = len({(d.exchange, d.fill_id) for d in differences})
    click.echo(
        f"{plural(fills, 'fill')} where trades.csv and the ledger differ; the ledger's figures"
        ' were taken, trades.csv\'s kept for reference (docs/ledgers.md, "Differences"):'
    )
    for d in differences:
        click.echo(
            f"  {d.fill_id} ({d.exchange} {d.trading_pair}) {d.field}:"
            f" trades.csv {d.trades_csv}, ledger {d.ledger}"
        )


def _echo_ledger_import(file: Path, summary: LedgerImportSummary) -> None:
    from gal_friday.cli.rendering.output import plural

    click.echo(
        f"{file}: {summary.entries_added} ledger entries added ({summary.pending_added} pending,"
        f" {summary.entries_already_stored} already stored, {summary.duplicates_in_file} repeated"
        " in the file)"
    )
    if summary.by_type:
        click.echo("rows stored by type:")
        width = max(len(count.type) for count in summary.by_type)
        for count in summary.by_type:
            click.echo(
                f"  {count.type:<{width}} {count.rows:>7}  {count.kind.value:<10}  {count.meaning}"
            )
    for exchange, done in summary.reconciled.items():
        pairs = ", ".join(pair for _, pair in done.pairs) or "no pair"
        trade_fills = done.fills_built - done.conversions_built
        click.echo(
            f"{exchange}: {plural(done.fills_updated, 'fill')} took the ledger's amounts"
            f" ({done.margin_fills_updated} of them margin fills paying their margin rows' fees),"
            f" {plural(trade_fills, 'fill')} built from its trades,"
            f" {plural(done.conversions_built, 'conversion')} built;"
            f" {plural(done.trades_rebuilt, 'trade')} rebuilt for {pairs}"
        )
        if done.margin_refids_without_fill:
            click.echo(
                f"{exchange}: margin rows without a margin fill (import trades.csv to count their"
                " positions): " + ", ".join(done.margin_refids_without_fill)
            )
        if done.incomplete_conversions:
            click.echo(
                f"{exchange}: conversions with one leg, kept, not made fills: "
                + ", ".join(done.incomplete_conversions)
            )
        if done.one_leg_refids:
            click.echo(
                f"{exchange}: {len(done.one_leg_refids)} one-leg trades kept, not made fills: "
                + ", ".join(done.one_leg_refids)
            )
        if done.unvalued_kfee_refids:
            click.echo(
                f"{exchange}: KFEE fees not valued (pair not quoted in USD): "
                + ", ".join(done.unvalued_kfee_refids)
            )
        _echo_differences(done.differences)
