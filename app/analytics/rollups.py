"""Daily rollups: per-local-day totals of the heavy count and money metrics, refreshed by a job.

A year of scale data (a million bookings and payments) is too much to group on every page view,
so `refresh_rollups` stores one row per metric, local day, zone and currency in daily_rollups
(dimension "<zone>|<currency>"). Charts over long ranges without coach filters read these rows;
the page shows when they were last refreshed.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from app.analytics.models import DailyRollup
from app.analytics.periods import Window, as_date
from app.core.db import utcnow
from app.extensions import db

log = logging.getLogger(__name__)

ROLLUP_METRICS = ("bookings_made", "bookings_completed", "bookings_cancelled", "gross_volume", "refunds")
MIN_DAYS_FOR_ROLLUPS = 92
COVERAGE = "_coverage"  # one row per zone: day = first day covered


def rollup_zones() -> list[str]:
    """Zones kept rolled up: ANALYTICS_ROLLUP_TIMEZONES (comma-separated), else DEFAULT_TIMEZONE and UTC."""
    configured = current_app.config.get("ANALYTICS_ROLLUP_TIMEZONES") or ""
    zones = [z.strip() for z in configured.split(",") if z.strip()]
    return zones or list(dict.fromkeys([current_app.config.get("DEFAULT_TIMEZONE") or "UTC", "UTC"]))


def _daily_rows(name: str, window: Window):
    from app.analytics import metrics_money as mm
    from app.analytics.metrics import Filters, grouped
    from app.booking.models import Booking

    if name in ("gross_volume", "refunds"):
        fn = mm._gross_rows if name == "gross_volume" else mm._refund_rows
        return fn(window, Filters())
    ts = {"bookings_made": Booking.created_at, "bookings_completed": Booking.completed_at,
          "bookings_cancelled": Booking.cancelled_at}[name]  # fmt: skip
    return grouped(window, ts, [sa.func.count(Booking.id).label("value")], by=Booking.currency)


def refresh_rollups(days: int = 400, today: date | None = None) -> int:
    """Recompute the last `days` local days of every rollup metric for every rollup zone."""
    written = 0
    now = utcnow()
    for tz in rollup_zones():
        end = today or datetime.now(Window(date.today(), date.today(), "day", tz).zone).date()
        window = Window(end - timedelta(days=days - 1), end, "day", tz)
        for name in ROLLUP_METRICS:
            db.session.execute(
                sa.delete(DailyRollup).where(
                    DailyRollup.metric == name,
                    DailyRollup.dimension.like(f"{tz}|%"),
                    DailyRollup.day >= window.start,
                    DailyRollup.day <= window.end,
                )
            )
            for row in _daily_rows(name, window):
                db.session.add(
                    DailyRollup(
                        metric=name,
                        day=as_date(row.period),
                        dimension=f"{tz}|{row.key}",
                        value=int(row.value or 0),
                        refreshed_at=now,
                    )  # fmt: skip
                )
                written += 1
        # Which days the rollups of this zone cover: older windows are computed live.
        db.session.execute(sa.delete(DailyRollup).where(DailyRollup.metric == COVERAGE, DailyRollup.dimension == tz))
        db.session.add(DailyRollup(metric=COVERAGE, day=window.start, dimension=tz, value=days, refreshed_at=now))
    db.session.commit()
    log.info("refreshed %s rollup rows", written)
    return written


def freshness() -> datetime | None:
    """When the rollups were last refreshed (None if never)."""
    return db.session.scalar(sa.select(sa.func.max(DailyRollup.refreshed_at)))


def rolled_up(name: str, window: Window, filters) -> tuple[list, datetime] | None:
    """Rows (period, key=currency, value) from the rollups, or None when they do not apply."""
    if name not in ROLLUP_METRICS or filters.level or filters.specialization:
        return None
    if (window.end - window.start).days + 1 < MIN_DAYS_FOR_ROLLUPS:
        return None
    covered_from = db.session.scalar(
        sa.select(DailyRollup.day).where(DailyRollup.metric == COVERAGE, DailyRollup.dimension == window.tz)
    )
    if covered_from is None or covered_from > window.start:
        return None
    dims = DailyRollup.dimension.like(f"{window.tz}|%")
    refreshed = db.session.scalar(sa.select(sa.func.max(DailyRollup.refreshed_at)).where(dims))
    if refreshed is None:
        return None
    currency = sa.func.substr(DailyRollup.dimension, len(window.tz) + 2)
    if db.session.get_bind().dialect.name == "postgresql":
        period = sa.cast(sa.func.date_trunc(sa.literal_column(f"'{window.granularity}'"), DailyRollup.day), sa.Date)
    else:
        fmt = {"day": "'%Y-%m-%d'", "month": "'%Y-%m-01'"}.get(window.granularity)
        period = (
            sa.func.strftime(sa.literal_column(fmt), DailyRollup.day)
            if fmt
            else sa.func.date(DailyRollup.day, sa.literal_column("'weekday 0'"), sa.literal_column("'-6 days'"))
        )
    where = [DailyRollup.metric == name, dims, DailyRollup.day >= window.start, DailyRollup.day <= window.end]
    if filters.currency:
        where.append(currency == filters.currency)
    stmt = (
        sa.select(period.label("period"), currency.label("key"), sa.func.sum(DailyRollup.value).label("value"))
        .where(*where)
        .group_by(period, currency)
    )
    return db.session.execute(stmt).all(), refreshed
