"""`flask video decide-due` (every minute from the clock): decide the sessions whose room closed."""

from __future__ import annotations

import click
from flask.cli import AppGroup

video_cli = AppGroup("video", help="Video session jobs.")


@video_cli.command("decide-due")
def decide_due_command() -> None:
    """Decide completed / no-show / technical failure for every session whose room closed."""
    from app.video.outcomes import decide_due

    click.echo(f"decided {decide_due()} session(s)")
