"""`flask payments reconcile` (hourly) and `flask payments roll-up` (every 10 minutes), from the clock."""

from __future__ import annotations

import click
from flask.cli import AppGroup

payments_cli = AppGroup("payments", help="Payments maintenance.")


@payments_cli.command("reconcile")
@click.option("--days", default=7, show_default=True, help="Payments touched in the last N days.")
def reconcile(days: int) -> None:
    """Compare our payments and refunds with Stripe's; each difference becomes a finance item."""
    from app.payments.reconciliation import reconcile_payments

    click.echo(f"{reconcile_payments(days)} new differences")


@payments_cli.command("roll-up")
def roll_up_command() -> None:
    """Add the payments created since the last roll-up to the finance totals' table."""
    from app.payments.day_totals import roll_up

    click.echo(f"rolled up {roll_up()} payment(s)")
