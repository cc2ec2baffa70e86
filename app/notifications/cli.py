"""flask notifications send-due (the clock, every minute): mails of notifications still unread."""

from __future__ import annotations

import click
from flask.cli import AppGroup

notifications_cli = AppGroup("notifications", help="Notification mail.")


@notifications_cli.command("send-due")
def send_due_command() -> None:
    """Decide every pending mail whose delay has passed: sent, or suppressed with the reason."""
    from app.notifications.services import send_due_mails

    click.echo(f"decided {send_due_mails()} notification mail(s)")
