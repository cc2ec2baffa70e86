"""Daily rollups: per-local-day totals behind the heavy booking and money charts, refreshed by a job.

A year of scale data (a million bookings and payments) is too much to group on every page view,
so `refresh_rollups` stores one row per stored part, local day, zone and currency in daily_rollups
(dimension "<zone>|<currency>"); rates store their numerator and denominator as two parts.
Charts over long ranges without coach filters read these rows; the page shows their freshness.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from app.analytics.models import DailyRollup
from app.analytics.periods import Window, as_date
from app.core.db import utcnow
from app.extensions import db

log = logging.getLogger(__name__)

MIN_DAYS_FOR_ROLLUPS = 7
FULL_DAYS = 400
COVERAGE = "_coverage"  # one row per zone: day = first day covered, value = number of days covered

# metric name -> the stored parts it is computed from
ROLLED_UP: dict[str, tuple[str, ...]] = {
    "bookings_made": ("bookings_made",),
    "bookings_completed": ("bookings_completed",),
    "bookings_cancelled": ("bookings_cancelled",),
    "gross_volume": ("gross_volume",),
    "refunds": ("refunds",),
    "net_revenue": ("gross_volume", "refunds"),
    "payment_success_rate": ("payment_success_rate:num", "payment_success_rate:den"),
    "refund_rate": ("refund_rate:num", "refund_rate:den"),
}
ROLLUP_METRICS = tuple(ROLLED_UP)


@dataclass
class _Part:
    period: object
    key: str
    value: int


def _stored_parts() -> dict[str, Callable[[Window], list]]:
    """Stored part -> function(day window) returning rows (period, key=currency, value)."""
    from app.analytics import metrics_money as mm
    from app.analytics.metrics import Filters, grouped
    from app.booking.models import Booking

    none = Filters()

    def bookings(ts):
        return lambda w: grouped(w, ts, [sa.func.count(Booking.id).label("value")], by=Booking.currency)

    def part(fn, attr):
        return lambda w: [_Part(r.period, r.key, getattr(r, attr)) for r in fn(w, none, by=mm.Payment.currency)]

    return {
        "bookings_made": bookings(Booking.created_at),
        "bookings_completed": bookings(Booking.completed_at),
        "bookings_cancelled": bookings(Booking.cancelled_at),
        "gross_volume": lambda w: mm._gross_rows(w, none),
        "refunds": lambda w: mm._refund_rows(w, none),
        "payment_success_rate:num": part(mm.success_rows, "num"),
        "payment_success_rate:den": part(mm.success_rows, "den"),
        "refund_rate:num": part(mm.refunded_rows, "num"),
        "refund_rate:den": part(mm.refunded_rows, "den"),
    }


def rollup_zones() -> list[str]:
    """Zones kept rolled up: ANALYTICS_ROLLUP_TIMEZONES (comma-separated), else DEFAULT_TIMEZONE, UTC
    and the zones of the staff who read the charts (admins and finance)."""
    from app.accounts.models import Role, User, UserRole

    configured = current_app.config.get("ANALYTICS_ROLLUP_TIMEZONES") or ""
    zones = [z.strip() for z in configured.split(",") if z.strip()]
    if zones:
        return zones
    readers = db.session.scalars(
        sa.select(User.timezone).join(UserRole).where(UserRole.role.in_([Role.ADMIN, Role.FINANCE])).distinct()
    ).all()
    defaults = [current_app.config.get("DEFAULT_TIMEZONE") or "UTC", "UTC", *sorted(readers)]
    return [z for z in dict.fromkeys(defaults) if _known_zone(z)]


def _known_zone(name: str) -> bool:
    try:
        Window(date.today(), date.today(), "day", name)
    except Exception:  # noqa: BLE001 - a user's unknown zone is skipped, never fatal
        return False
    return True


def _coverage(tz: str) -> tuple[date | None, date | None, datetime | None]:
    """(first day, last day, refreshed_at) the rollups of this zone cover."""
    row = db.session.execute(
        sa.select(DailyRollup.day, DailyRollup.value, DailyRollup.refreshed_at).where(
            DailyRollup.metric == COVERAGE, DailyRollup.dimension == tz
        )
    ).first()
    if row is None:
        return None, None, None
    return row.day, row.day + timedelta(days=row.value - 1), row.refreshed_at


def _today(tz: str) -> date:
    return datetime.now(Window(date.today(), date.today(), "day", tz).zone).date()


def refresh_rollups(days: int | None = None, today: date | None = None) -> int:
    """Recompute rollups for every rollup zone, up to today (partial) in that zone.

    days=None (the frequent job): from the day before the last covered day, or the last FULL_DAYS
    days when nothing is covered yet. days=N: the last N days (the nightly full refresh).
    """
    written, now = 0, utcnow()
    for tz in rollup_zones():
        end = today or _today(tz)
        first, last, _ = _coverage(tz)
        if days is not None:
            start = end - timedelta(days=days - 1)
        elif last is not None:
            start = min(last, end) - timedelta(days=1)
        else:
            start = end - timedelta(days=FULL_DAYS - 1)
        window = Window(start, end, "day", tz)
        for name, rows in _stored_parts().items():
            db.session.execute(
                sa.delete(DailyRollup).where(
                    DailyRollup.metric == name,
                    DailyRollup.dimension.like(f"{tz}|%"),
                    DailyRollup.day >= window.start,
                    DailyRollup.day <= window.end,
                )
            )
            for row in rows(window):
                db.session.add(DailyRollup(metric=name, day=as_date(row.period), dimension=f"{tz}|{row.key}",
                                           value=int(row.value or 0), refreshed_at=now))  # fmt: skip
                written += 1
        # Which days this zone's rollups cover (older or newer windows are computed live).
        contiguous = first is not None and last is not None and last >= window.start - timedelta(days=1)
        covered_from = min(first, window.start) if contiguous else window.start
        db.session.execute(sa.delete(DailyRollup).where(DailyRollup.metric == COVERAGE, DailyRollup.dimension == tz))
        db.session.add(DailyRollup(metric=COVERAGE, day=covered_from, dimension=tz,
                                   value=(window.end - covered_from).days + 1, refreshed_at=now))  # fmt: skip
    db.session.commit()
    log.info("refreshed %s rollup rows", written)
    return written


def freshness() -> datetime | None:
    """When the rollups were last refreshed (None if never)."""
    return db.session.scalar(sa.select(sa.func.max(DailyRollup.refreshed_at)))


def _period(window: Window):
    if db.session.get_bind().dialect.name == "postgresql":
        return sa.cast(sa.func.date_trunc(sa.literal_column(f"'{window.granularity}'"), DailyRollup.day), sa.Date)
    fmt = {"day": "'%Y-%m-%d'", "month": "'%Y-%m-01'"}.get(window.granularity)
    if fmt:
        return sa.func.strftime(sa.literal_column(fmt), DailyRollup.day)
    return sa.func.date(DailyRollup.day, sa.literal_column("'weekday 0'"), sa.literal_column("'-6 days'"))


def _part_rows(part: str, window: Window, currency: str | None) -> list:
    key = sa.func.substr(DailyRollup.dimension, len(window.tz) + 2)
    period = _period(window)
    where = [
        DailyRollup.metric == part,
        DailyRollup.dimension.like(f"{window.tz}|%"),
        DailyRollup.day >= window.start,
        DailyRollup.day <= window.end,
    ]
    if currency:
        where.append(key == currency)
    stmt = (
        sa.select(period.label("period"), key.label("key"), sa.func.sum(DailyRollup.value).label("value"))
        .where(*where)
        .group_by(period, key)
    )
    return db.session.execute(stmt).all()


def rolled_up(name: str, window: Window, filters):
    """The metric's MetricResult from the rollups, or None when they do not apply or do not cover the window."""
    from app.analytics.metrics import MetricResult, _Row, count_series, money_series, rate_series
    from app.analytics.metrics_money import net_series

    parts = ROLLED_UP.get(name)
    if parts is None or filters.level or filters.specialization:
        return None
    if (window.end - window.start).days + 1 < MIN_DAYS_FOR_ROLLUPS:
        return None
    covered_from, covered_to, refreshed = _coverage(window.tz)
    if covered_from is None or covered_from > window.start or covered_to < min(window.end, _today(window.tz)):
        return None
    rows = [_part_rows(part, window, filters.currency) for part in parts]
    if name == "net_revenue":
        gross, refunded = (money_series(window, r, filters.currency) for r in rows)
        series = net_series(window, gross, refunded)
    elif name in ("gross_volume", "refunds"):
        series = money_series(window, rows[0], filters.currency)
    elif len(parts) == 2:
        totals: dict = {}
        for index, part_rows in enumerate(rows):
            for r in part_rows:
                pair = totals.setdefault(as_date(r.period), [0, 0])
                pair[index] += int(r.value or 0)
        series = rate_series(window, [_Row(p, num, den) for p, (num, den) in totals.items()])
    else:
        totals = {}
        for r in rows[0]:
            totals[as_date(r.period)] = totals.get(as_date(r.period), 0) + int(r.value or 0)
        series = count_series(window, [_Row(p, 0, 0, v) for p, v in totals.items()])
    return MetricResult(series, refreshed_at=refreshed)
