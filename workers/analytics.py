"""Analytics jobs: the retention purge and the rollup refresh (run daily, e.g. from cron)."""

from __future__ import annotations

from workers.context import job


@job
def purge_old_events() -> int:
    """Delete analytics events older than ANALYTICS_RETENTION_DAYS."""
    from app.analytics.tracking import purge_old_events as purge

    return purge()


@job
def refresh_rollups(days: int = 400) -> int:
    """Recompute the daily rollups of the last `days` days; returns rows written."""
    from app.analytics.rollups import refresh_rollups as refresh

    return refresh(days=days)
