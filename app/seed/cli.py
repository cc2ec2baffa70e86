"""`flask seed --demo` (idempotent demo data) and `flask seed --scale N` (benchmark data)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from app.seed.demo import seed_demo


@click.command("seed")
@click.option("--demo", is_flag=True, help="Idempotent demo data with one staff user per role.")
@click.option("--scale", type=int, default=None, help="Bulk data: N applications, 10N bookings/payments/flags.")
@with_appcontext
def seed_command(demo: bool, scale: int | None) -> None:
    """Fill the database with demo or benchmark data."""
    if not demo and scale is None:
        raise click.UsageError("Pass --demo or --scale N.")
    if demo:
        for line in seed_demo():
            click.echo(line)
    if scale is not None:
        from app.seed.scale import seed_scale

        for line in seed_scale(scale):
            click.echo(line)
