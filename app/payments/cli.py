"""`flask payments reconcile`: the reconciliation with Stripe (hourly from the clock)."""

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
