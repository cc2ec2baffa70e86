"""Verification jobs."""

from app.verification import check_runs
from workers.context import job


@job
def run_checks(application_id: int) -> None:
    """Run the certificate checks on an application's current document (idempotent)."""
    check_runs.run_checks(application_id)
