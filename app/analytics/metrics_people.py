"""Verification, activation, retention and moderation metrics."""

from __future__ import annotations

import statistics
from collections import defaultdict

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from app.analytics.metrics import (
    Filters,
    MetricResult,
    count_series,
    count_when,
    dialect,
    grouped,
    has_rows,
    metric,
    rate_series,
)
from app.analytics.periods import Window, as_date, period_sql
from app.booking.models import AvailabilityRule, Booking
from app.coaches.models import CoachProfile
from app.core.db import UTCDateTime, utcnow
from app.extensions import db
from app.moderation.models import Flag, FlagStatus, ItemStatus, ModerationItem
from app.verification.models import ApplicationStatus, CoachApplication

DECIDED = (ApplicationStatus.APPROVED, ApplicationStatus.REJECTED)
ACTIONED = (ItemStatus.KEPT, ItemStatus.HIDDEN, ItemStatus.REMOVED, ItemStatus.EDITED)


def _level_where(filters: Filters) -> list:
    return [CoachApplication.certification_level == filters.level] if filters.level else []


def _seconds_between(start, end):
    if dialect() == "postgresql":
        return sa.func.extract("epoch", end - start)
    return (sa.func.julianday(end) - sa.func.julianday(start)) * 86400.0


def _percentile_series(window: Window, ts_col, start_col, *where) -> list[dict]:
    """Median and 90th percentile (hours) of ts_col - start_col per period of ts_col.

    PostgreSQL computes percentile_cont in SQL; SQLite (development only) has no percentile
    function, so there the durations of the window are fetched and interpolated the same way.
    """
    seconds = _seconds_between(start_col, ts_col)
    values: dict = {}
    if dialect() == "postgresql":
        rows = grouped(
            window,
            ts_col,
            [
                sa.func.percentile_cont(0.5).within_group(seconds).label("p50"),
                sa.func.percentile_cont(0.9).within_group(seconds).label("p90"),
                sa.func.count().label("n"),
            ],
            *where,
        )
        values = {as_date(r.period): (float(r.p50), float(r.p90), int(r.n)) for r in rows}
    else:
        period = period_sql(ts_col, window, "sqlite")
        stmt = sa.select(period, seconds).where(ts_col >= window.start_utc, ts_col < window.end_utc, *where)
        buckets = defaultdict(list)
        for p, s in db.session.execute(stmt):
            buckets[as_date(p)].append(float(s))
        for p, items in buckets.items():
            q = statistics.quantiles(items, n=10, method="inclusive") if len(items) > 1 else [items[0]] * 9
            values[p] = (statistics.median(items), q[8], len(items))
    out = []
    for p in window.periods():
        p50, p90, n = values.get(p, (None, None, 0))
        out.append(
            {
                "period": p.isoformat(),
                "value": round(p50 / 3600, 2) if p50 is not None else None,
                "p90": round(p90 / 3600, 2) if p90 is not None else None,
                "count": n,
            }
        )
    return out


@metric("applications_received", "Coach applications received", "count", "coach applications",
        filters=("level",), group="Verification")  # fmt: skip
def applications_received(window: Window, filters: Filters) -> MetricResult:
    """Applications submitted, by submission time."""
    if not has_rows(CoachApplication):
        return MetricResult([], has_data=False)
    rows = grouped(window, CoachApplication.submitted_at, [sa.func.count(CoachApplication.id).label("value")],
                   *_level_where(filters))  # fmt: skip
    return MetricResult(count_series(window, rows))


@metric("approval_rate", "Approval rate", "percent", "coach applications", filters=("level",),
        group="Verification", extra=("numerator", "denominator"))  # fmt: skip
def approval_rate(window: Window, filters: Filters) -> MetricResult:
    """Approved / decided (approved + rejected) applications, by decision time."""
    if not has_rows(CoachApplication):
        return MetricResult([], has_data=False)
    rows = grouped(
        window,
        CoachApplication.decided_at,
        [count_when(CoachApplication.status == ApplicationStatus.APPROVED).label("num"),
         sa.func.count(CoachApplication.id).label("den")],
        CoachApplication.status.in_(DECIDED),
        *_level_where(filters),
    )  # fmt: skip
    return MetricResult(rate_series(window, rows))


@metric("time_to_decision", "Time to decision (hours, median; p90)", "hours", "coach applications",
        filters=("level",), group="Verification", extra=("p90", "count"))  # fmt: skip
def time_to_decision(window: Window, filters: Filters) -> MetricResult:
    """Hours from submission to decision: median as value, 90th percentile as p90."""
    if not has_rows(CoachApplication):
        return MetricResult([], has_data=False)
    series = _percentile_series(
        window,
        CoachApplication.decided_at,
        CoachApplication.submitted_at,
        CoachApplication.status.in_(DECIDED),
        CoachApplication.submitted_at.is_not(None),
        *_level_where(filters),
    )
    return MetricResult(series)


@metric("application_queue_size", "Verification queue size (end of period)", "count", "coach applications",
        filters=("level",), group="Verification")  # fmt: skip
def application_queue_size(window: Window, filters: Filters) -> MetricResult:
    """Applications submitted and not yet decided at each period's end (or now)."""
    if not has_rows(CoachApplication):
        return MetricResult([], has_data=False)
    now = utcnow()
    # One row per period end; a UNION ALL of literals (SQLite has no aliased VALUES lists).
    ends = sa.union_all(
        *[
            sa.select(
                sa.literal(p.isoformat(), sa.String).label("period"),
                sa.literal(min(window.period_end_utc(p), now), UTCDateTime).label("ends_at"),
            )
            for p in window.periods()
        ]
    ).subquery("period_ends")
    waiting = sa.and_(
        CoachApplication.submitted_at < ends.c.ends_at,
        sa.or_(CoachApplication.decided_at.is_(None), CoachApplication.decided_at >= ends.c.ends_at),
        CoachApplication.status != ApplicationStatus.DRAFT,
        *_level_where(filters),
    )
    stmt = (
        sa.select(ends.c.period.label("period"), sa.func.count(CoachApplication.id).label("value"))
        .select_from(ends)
        .outerjoin(CoachApplication, waiting)
        .group_by(ends.c.period)
    )
    return MetricResult(count_series(window, db.session.execute(stmt).all()))


@metric("coach_activation", "Coach activation", "percent", "coach applications", filters=("level",),
        group="Verification", target="above 80 %", extra=("numerator", "denominator"))  # fmt: skip
def coach_activation(window: Window, filters: Filters) -> MetricResult:
    """Of the coaches approved in each period, the share now live (complete profile) with availability."""
    if not has_rows(CoachApplication, CoachApplication.status == ApplicationStatus.APPROVED):
        return MetricResult([], has_data=False)
    activated = sa.exists(
        sa.select(CoachProfile.id).where(
            CoachProfile.user_id == CoachApplication.user_id,
            CoachProfile.is_active.is_(True),
            sa.exists(sa.select(AvailabilityRule.id).where(AvailabilityRule.coach_id == CoachProfile.id)),
        )
    )
    rows = grouped(
        window,
        CoachApplication.decided_at,
        [count_when(activated).label("num"), sa.func.count(CoachApplication.id).label("den")],
        CoachApplication.status == ApplicationStatus.APPROVED,
        *_level_where(filters),
    )
    return MetricResult(rate_series(window, rows))


@metric("client_retention", "Client retention (returning within 30 days, monthly cohorts)", "percent",
        "paid bookings", group="Clients", target="above 60 %", fixed_granularity="month",
        extra=("numerator", "denominator"))  # fmt: skip
def client_retention(window: Window, filters: Filters) -> MetricResult:
    """Clients whose first paid booking fell in the month and who paid for another within 30 days."""
    if not has_rows(Booking, Booking.confirmed_at.is_not(None)):
        return MetricResult([], has_data=False)
    first = (
        sa.select(Booking.client_id.label("client_id"), sa.func.min(Booking.confirmed_at).label("first_at"))
        .where(Booking.confirmed_at.is_not(None))
        .group_by(Booking.client_id)
        .subquery("first_paid")
    )
    later = aliased(Booking)
    if dialect() == "postgresql":
        limit = first.c.first_at + sa.literal_column("interval '30 days'")
    else:
        limit = sa.func.datetime(first.c.first_at, "+30 days")
    returned = sa.exists(
        sa.select(later.id).where(
            later.client_id == first.c.client_id,
            later.confirmed_at.is_not(None),
            later.confirmed_at > first.c.first_at,
            later.confirmed_at <= limit,
        )
    )
    first_at = sa.type_coerce(first.c.first_at, Booking.confirmed_at.type)
    rows = grouped(window, first_at, [count_when(returned).label("num"), sa.func.count().label("den")],
                   select_from=first)  # fmt: skip
    return MetricResult(rate_series(window, rows))


@metric("flags_received", "Flags received", "count", "flags", group="Moderation")
def flags_received(window: Window, filters: Filters) -> MetricResult:
    """Flags raised (by users or the system), by creation time."""
    if not has_rows(Flag):
        return MetricResult([], has_data=False)
    return MetricResult(count_series(window, grouped(window, Flag.created_at, [sa.func.count(Flag.id).label("value")])))


@metric("moderation_time_to_action", "Moderation time to action (hours, median; p90)", "hours", "moderation items",
        group="Moderation", extra=("p90", "count"))  # fmt: skip
def moderation_time_to_action(window: Window, filters: Filters) -> MetricResult:
    """Hours from an item's first flag to the moderator's decision, by decision time."""
    if not has_rows(ModerationItem):
        return MetricResult([], has_data=False)
    series = _percentile_series(
        window,
        ModerationItem.decided_at,
        ModerationItem.first_flagged_at,
        ModerationItem.decided_at.is_not(None),
        ModerationItem.status.in_(ACTIONED),
    )
    return MetricResult(series)


@metric("flags_upheld_share", "Flags upheld", "percent", "flags", group="Moderation",
        extra=("numerator", "denominator"))  # fmt: skip
def flags_upheld_share(window: Window, filters: Filters) -> MetricResult:
    """Upheld / resolved (upheld + dismissed) flags, by resolution time."""
    if not has_rows(Flag):
        return MetricResult([], has_data=False)
    rows = grouped(
        window,
        Flag.resolved_at,
        [count_when(Flag.status == FlagStatus.UPHELD).label("num"), sa.func.count(Flag.id).label("den")],
        Flag.status.in_([FlagStatus.UPHELD, FlagStatus.DISMISSED]),
    )
    return MetricResult(rate_series(window, rows))
