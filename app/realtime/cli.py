"""flask realtime prune-events (the clock, hourly): the event log keeps EVENTS_RETENTION_DAYS."""

from __future__ import annotations

import click
from flask.cli import AppGroup

realtime_cli = AppGroup("realtime", help="The live event log.")


@realtime_cli.command("prune-events")
def prune_events_command() -> None:
    """Delete events older than the retention window (a stream resuming from one gets a resync)."""
    from app.realtime.events import prune

    click.echo(f"deleted {prune()} event(s)")
