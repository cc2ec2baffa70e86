"""Verification jobs."""

from app.verification import services
from workers.context import job


@job
def run_checks(application_id: int) -> None:
    """Run the certificate checks on an application's current document (idempotent)."""
    services.run_checks(application_id)
