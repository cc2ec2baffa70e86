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


backup_cli = AppGroup("backup", help="Database backups (plus the storage manifest).")


@backup_cli.command("create")
@click.option("--dir", "directory", default=None, help="Folder for the backup (default: BACKUP_DIR).")
def backup_create(directory: str | None) -> None:
    """Dump the database and write the manifest (row counts, storage keys)."""
    from pathlib import Path

    from flask import current_app

    from app.core.storage import storage
    from app.extensions import db
    from app.ops.backup import create_backup

    target = create_backup(db.engine, storage(), Path(directory or current_app.config["BACKUP_DIR"]))
    click.echo(str(target))


@backup_cli.command("restore")
@click.argument("backup_file", type=click.Path(exists=True, dir_okay=False))
@click.option("--database-url", default=None, help="Restore here instead of the app's own database.")
@click.option("--yes", is_flag=True, help="Do not ask before replacing the database's contents.")
def backup_restore(backup_file: str, database_url: str | None, yes: bool) -> None:
    """Restore a backup (replacing the target's tables) and check every table's row count."""
    from pathlib import Path

    from app.extensions import db
    from app.ops.backup import restore_backup

    target = database_url or db.engine.url.render_as_string(hide_password=False)
    if not yes:
        click.confirm(f"Replace the contents of {sa_safe(target)}?", abort=True)
    db.engine.dispose()  # no pooled connection holds locks pg_restore --clean needs
    mismatches = restore_backup(Path(backup_file), target)
    for table, (expected, found) in sorted(mismatches.items()):
        click.echo(f"{table}: {found} rows, the backup had {expected}", err=True)
    if mismatches:
        raise SystemExit(1)
    click.echo("restored; every table has the rows the backup counted")


def sa_safe(url: str) -> str:
    """The URL with its password hidden."""
    import sqlalchemy as sa

    return sa.engine.make_url(url).render_as_string(hide_password=True)
