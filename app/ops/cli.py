"""`flask jobs requeue-unsent`: enqueue the jobs recorded while Redis was unreachable."""

from __future__ import annotations

import click
from flask.cli import AppGroup

jobs_cli = AppGroup("jobs", help="Background job maintenance.")


@jobs_cli.command("requeue-unsent")
def requeue_unsent() -> None:
    """Enqueue every job that could not reach Redis (the clock runs this every minute)."""
    from app.ops.services import requeue_unsent_jobs

    click.echo(f"{requeue_unsent_jobs()} job(s) enqueued")
