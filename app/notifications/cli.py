"""flask notifications send-due (the clock, every minute): mails of notifications still unread; vapid-keys."""

from __future__ import annotations

import click
from flask.cli import AppGroup

notifications_cli = AppGroup("notifications", help="Notification mail.")


@notifications_cli.command("send-due")
def send_due_command() -> None:
    """Decide every pending mail whose delay has passed: sent, or suppressed with the reason."""
    from app.notifications.services import send_due_mails

    click.echo(f"decided {send_due_mails()} notification mail(s)")


@notifications_cli.command("vapid-keys")
def vapid_keys_command() -> None:
    """Print a new VAPID key pair for Web Push (set them as VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY)."""
    from app.notifications.push import new_vapid_keys

    public, private = new_vapid_keys()
    click.echo(f"VAPID_PUBLIC_KEY={public}\nVAPID_PRIVATE_KEY={private}")
