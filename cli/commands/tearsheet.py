"""``gal-friday tearsheet``: one self-contained HTML page of the account's results."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import click

from gal_friday.cli.errors import UserError
from gal_friday.cli.options import parse_capital, parse_time
from gal_friday.cli.state import State, pass_state


@click.command()
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The HTML file to write (refused when it exists, unless --force).",
)
@click.option("--currency", required=True, help="Reporting currency (e.g. USD).")
@click.option(
    "--start-capital",
    default=None,
    help="Capital at the start, in --currency (default: the ledger's balances and flows).",
)
@click.option("--since", default=None, help="Closed trades exited at or after (ISO, UTC).")
@click.option("--until", default=None, help="Closed trades exited before (ISO, UTC).")
@click.option(
    "--prices-exchange",
    default=None,
    help="Exchange whose candles price the assets (needed when several have).",
)
@click.option("--force", is_flag=True, help="Replace --out when it exists (never through a link).")
@pass_state
def tearsheet(
    state: State,
    out: Path,
    currency: str,
    start_capital: str | None,
    since: str | None,
    until: str | None,
    prices_exchange: str | None,
    force: bool,
) -> None:
    """Write the equity, drawdowns, monthly returns, strategies, execution and trades as HTML."""
    start, end = parse_time(since, "--since"), parse_time(until, "--until")
    if start is not None and end is not None and start >= end:
        raise UserError(f"--since {since} is not before --until {until}")
    _check_target(out, force)
    capital = None if start_capital is None else parse_capital(start_capital)
    from gal_friday.cli.rendering.tearsheet import render_tearsheet
    from gal_friday.services.tearsheet import build_tearsheet

    sheet = build_tearsheet(
        state.uow_factory(),
        start_capital=capital,
        currency=currency,
        since=start,
        until=end,
        prices_exchange=prices_exchange,
    )
    _write(out, render_tearsheet(sheet).encode("utf-8"))
    click.echo(
        f"wrote {out}: {len(sheet.equity.days)} days, {len(sheet.trades)} closed trades", err=True
    )


def _check_target(path: Path, force: bool) -> None:
    if not path.parent.is_dir():
        raise UserError(f"--out: the folder {path.parent.resolve()} does not exist")
    if (path.exists() or path.is_symlink()) and not force:
        raise UserError(f"--out: {path} already exists; give --force to replace it")
    if path.is_dir():
        raise UserError(f"--out: {path} is a folder")


def _write(path: Path, data: bytes) -> None:
    """Write beside the target, then rename over it (a link at ``path`` is replaced)."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
