"""flask booking expire-holds | complete-past | refresh-search | maintain (run from cron or a clock loop)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

booking_cli = AppGroup("booking", help="Booking maintenance jobs.")


@booking_cli.command("expire-holds")
def expire_holds_command() -> None:
    """Expire unpaid holds past their time."""
    from app.booking.services import expire_holds

    click.echo(f"expired {expire_holds()} hold(s)")


@booking_cli.command("complete-past")
def complete_past_command() -> None:
    """Mark ended confirmed sessions completed."""
    from app.booking.services import complete_past_bookings

    click.echo(f"completed {complete_past_bookings()} booking(s)")


@booking_cli.command("refresh-search")
def refresh_search_command() -> None:
    """Recompute every active coach's next free slot, price-from and search text."""
    from app.coaches.search import refresh_all

    click.echo(f"refreshed {refresh_all()} coach(es)")


@booking_cli.command("maintain")
def maintain_command() -> None:
    """Every minute from a scheduler: expire holds, complete past sessions, refresh passed next slots."""
    from app.booking.services import complete_past_bookings, expire_holds
    from app.coaches.search import refresh_stale

    click.echo(f"expired {expire_holds()}, completed {complete_past_bookings()}, refreshed {refresh_stale()}")
