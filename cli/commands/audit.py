"""``gal-friday audit``: replay the stored ledger and check the fills against it."""

from __future__ import annotations

import sys

import click

from gal_friday.cli.errors import UserError
from gal_friday.cli.state import State
from gal_friday.domain.invariants import InvariantError

#: ``gal-friday audit``'s exit code when a balance or a fill disagrees with the ledger.
AUDIT_FAILED = 3


@click.command()
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@click.pass_context
def audit(ctx: click.Context, fmt: str) -> None:
    """Replay the stored ledger's balances and check the fills against it.

    Exit 0 when everything balances, 3 when something diverges (1 and 2 keep their
    meaning: database unusable, bad input).
    """
    from gal_friday.cli.rendering.audit import audit_json, print_audit
    from gal_friday.cli.rendering.output import console
    from gal_friday.services.audit import audit as run_audit

    state = ctx.find_object(State)
    if state is None:
        raise InvariantError("the command line's state is set by the root group")
    result = run_audit(state.uow_factory())
    if not result.assets:
        raise UserError("no ledger entries stored: import one with --format kraken-ledgers")
    if fmt == "json":
        click.echo(audit_json(result))
    else:
        print_audit(result, console())
    if not result.balanced:
        sys.exit(AUDIT_FAILED)  # like fail(): click's non-standalone main would swallow ctx.exit
