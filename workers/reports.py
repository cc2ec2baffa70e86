"""Report jobs (queue "reports"): build one report by id."""

from __future__ import annotations

from workers.context import job


@job
def build_report(report_id: int) -> None:
    """Build, store and (finance) mail the report; a failure is kept on the row with its reason."""
    from app.analytics.reports_service import build_report as build

    build(report_id)
