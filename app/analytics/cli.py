"""CLI: `flask reports build|schedule` and `flask analytics refresh-rollups|purge-events`."""

from __future__ import annotations

from datetime import date, timedelta

import click
from flask.cli import AppGroup

reports_cli = AppGroup("reports", help="Generated reports.")
analytics_cli = AppGroup("analytics", help="Analytics events and rollups.")


def previous_month(today: date | None = None) -> str:
    """'YYYY-MM' of the month before today."""
    return ((today or date.today()).replace(day=1) - timedelta(days=1)).strftime("%Y-%m")


@reports_cli.command("build")
@click.argument("kind", type=click.Choice(["finance", "verification", "moderation"]))
@click.option("--period", required=True, help="Month, YYYY-MM")
def build(kind: str, period: str) -> None:
    """Build a report now (in this process); prints the stored PDF's key as the last line."""
    from flask import current_app

    from app.analytics.reports_service import build_report, request_report
    from app.core.jobs import InlineJobs

    saved = current_app.extensions["jobs"]
    current_app.extensions["jobs"] = InlineJobs()  # build here, not on a worker
    try:
        report = request_report(kind, period, actor=None)
        report = build_report(report.id)
    finally:
        current_app.extensions["jobs"] = saved
    if not report.is_ready:
        raise click.ClickException(f"report {report.id} failed: {report.error}")
    click.echo(f"csv: {report.csv_key}")
    click.echo(report.pdf_key)


@reports_cli.command("schedule")
@click.option("--period", default=None, help="Month, YYYY-MM (default: the previous month)")
@click.option("--kind", "kinds", multiple=True, help="Report kind (default: REPORTS_MONTHLY_KINDS, e.g. finance)")
def schedule(period: str | None, kinds: tuple[str, ...]) -> None:
    """Queue the monthly reports (run from cron on the 1st: `flask reports schedule`)."""
    from flask import current_app

    from app.analytics.reports_service import request_report

    period = period or previous_month()
    configured = current_app.config.get("REPORTS_MONTHLY_KINDS") or "finance"
    kinds = kinds or tuple(k.strip() for k in configured.split(",") if k.strip())
    for kind in kinds:
        report = request_report(kind, period, actor=None)
        click.echo(f"queued {kind} report {report.id} for {period}")


@analytics_cli.command("refresh-rollups")
@click.option("--days", type=int, default=None, help="Recompute the last N days (default: since the last refresh)")
def refresh_rollups(days: int | None) -> None:
    """Bring the daily rollups up to now (every 10 minutes; `--days 400` nightly)."""
    from app.analytics.rollups import refresh_rollups as refresh

    click.echo(f"{refresh(days=days)} rollup rows written")


@analytics_cli.command("purge-events")
def purge_events() -> None:
    """Delete events older than ANALYTICS_RETENTION_DAYS (run daily)."""
    from app.analytics.tracking import purge_old_events

    click.echo(f"{purge_old_events()} events deleted")
