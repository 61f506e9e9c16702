"""``gal-friday demo``: a short simulated session through every table, then the report."""

from __future__ import annotations

import click


@click.command()
@click.option("--seed", default=7, show_default=True, help="Seed of the simulated session.")
@click.option(
    "--database-url",
    "demo_url",
    default=None,
    metavar="URL",
    help="Run the demo in this database (created or migrated if needed) and keep it."
    " Default: a temporary SQLite database, removed afterwards. The demo never uses"
    " the database given to gal-friday itself.",
)
def demo(seed: int, demo_url: str | None) -> None:
    """Run a short deterministic simulated session through every table, then print the report."""
    from gal_friday.cli.demo import demo_database, run_demo
    from gal_friday.cli.rendering.output import console, print_report
    from gal_friday.persistence.bootstrap import unit_of_work_factory
    from gal_friday.persistence.database import mask_url, resolve_url
    from gal_friday.services.reporting import build_report

    with demo_database(demo_url) as engine:
        summary = run_demo(engine, seed=seed)
        for line in summary.lines():
            click.echo(line)
        print_report(build_report(unit_of_work_factory(engine)), console())
    where = mask_url(resolve_url(demo_url)) if demo_url else "a temporary database, now removed"
    click.echo(f"demo database: {where}")
