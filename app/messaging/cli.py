"""flask messaging prune-attachments (the clock, hourly): files uploaded but never sent."""

from __future__ import annotations

import click
from flask.cli import AppGroup

messaging_cli = AppGroup("messaging", help="Messages and their files.")


@messaging_cli.command("prune-attachments")
def prune_attachments_command() -> None:
    """Delete attachments no message carries ATTACHMENTS_UNSENT_HOURS after their upload."""
    from app.messaging.attachments import prune_unsent

    click.echo(f"deleted {prune_unsent()} unsent attachment(s)")
