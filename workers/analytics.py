"""Analytics jobs: the retention purge (daily) and the rollup refresh (every few minutes, full nightly)."""

from __future__ import annotations

from workers.context import job


@job
def purge_old_events() -> int:
    """Delete analytics events older than ANALYTICS_RETENTION_DAYS."""
    from app.analytics.tracking import purge_old_events as purge

    return purge()


@job
def refresh_rollups(days: int | None = None) -> int:
    """Bring the daily rollups up to now (days=None: since the last refresh; N: the last N days)."""
    from app.analytics.rollups import refresh_rollups as refresh

    return refresh(days=days)
