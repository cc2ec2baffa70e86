"""Figures for the public dashboards: a coach's own business and a client's sessions (SQL aggregates)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa

from app.accounts.models import Role, User
from app.analytics.models import AnalyticsEvent
from app.analytics.tracking import COACH_SEARCH
from app.booking.models import AvailabilityRule, Booking, BookingStatus, SessionType
from app.coaches.models import CoachLanguage, CoachProfile, Review, Specialization, coach_specializations
from app.core.db import utcnow
from app.extensions import db
from app.messaging.services import unread_count
from app.payments.models import Payment, Refund, RefundStatus

UPCOMING_LIMIT = 5
RECOMMENDATIONS = 3


def _zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _month_bounds(zone: ZoneInfo, months_back: int = 0) -> tuple[datetime, datetime]:
    first = datetime.now(zone).date().replace(day=1)
    for _ in range(months_back):
        first = (first - timedelta(days=1)).replace(day=1)
    nxt = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    return datetime.combine(first, time(0), zone), datetime.combine(nxt, time(0), zone)


@dataclass
class Revenue:
    """A currency's revenue (minor units): payments of this month and last, each less its own refunds
    (revenue stays in the month it was earned), and the refunds made this month on their own line."""

    currency: str
    this_month: int
    last_month: int
    refunded_this_month: int = 0

    @property
    def change_percent(self) -> float | None:
        return round(100.0 * (self.this_month - self.last_month) / self.last_month, 1) if self.last_month > 0 else None


@dataclass
class CoachDashboard:
    """A coach's own figures."""

    revenue: list[Revenue]
    completed_total: int
    completed_this_month: int
    rating_avg: float | None
    rating_count: int
    upcoming: list[Booking]
    unread_messages: int
    completeness: int
    missing: list[str] = field(default_factory=list)


def _earned(coach_id: int, start: datetime, end: datetime) -> dict[str, int]:
    """Payments that succeeded in [start, end), less whatever was refunded of those payments."""
    refunded = (
        sa.select(sa.func.coalesce(sa.func.sum(Refund.amount), 0))
        .where(Refund.payment_id == Payment.id, Refund.status == RefundStatus.SUCCEEDED)
        .scalar_subquery()
    )
    rows = db.session.execute(
        sa.select(Payment.currency, sa.func.sum(Payment.amount - refunded))
        .where(Payment.coach_id == coach_id, Payment.succeeded_at >= start, Payment.succeeded_at < end)
        .group_by(Payment.currency)
    ).all()
    return {c: int(v) for c, v in rows}


def _refunded(coach_id: int, start: datetime, end: datetime) -> dict[str, int]:
    """Refunds that succeeded in [start, end), whichever month their payment was made in."""
    rows = db.session.execute(
        sa.select(Refund.currency, sa.func.sum(Refund.amount))
        .join(Payment, Payment.id == Refund.payment_id)
        .where(Payment.coach_id == coach_id, Refund.status == RefundStatus.SUCCEEDED,
               Refund.succeeded_at >= start, Refund.succeeded_at < end)
        .group_by(Refund.currency)
    ).all()  # fmt: skip
    return {c: int(v) for c, v in rows}


def _completeness(coach: CoachProfile) -> tuple[int, list[str]]:
    def exists(model, col):
        return (
            db.session.scalar(sa.select(sa.literal(1)).select_from(model).where(col == coach.id).limit(1)) is not None
        )

    checks = {
        "a headline": bool(coach.headline.strip()),
        "a bio of at least 200 characters": len(coach.bio.strip()) >= 200,
        "your specializations": exists(coach_specializations, coach_specializations.c.coach_id),
        "the languages you coach in": exists(CoachLanguage, CoachLanguage.coach_id),
        "an active session type": db.session.scalar(
            sa.select(sa.literal(1)).where(SessionType.coach_id == coach.id, SessionType.is_active.is_(True)).limit(1)
        )
        is not None,
        "your weekly availability": exists(AvailabilityRule, AvailabilityRule.coach_id),
    }
    missing = [label for label, done in checks.items() if not done]
    return round(100 * (len(checks) - len(missing)) / len(checks)), missing


def coach_dashboard(coach: CoachProfile, user: User) -> CoachDashboard:
    """Revenue this month vs last (in the coach's zone), sessions, rating, upcoming, unread, completeness."""
    zone = _zone(coach.timezone)
    start, end = _month_bounds(zone)
    this, last = _earned(coach.id, start, end), _earned(coach.id, *_month_bounds(zone, 1))
    refunded = _refunded(coach.id, start, end)
    revenue = [
        Revenue(c, this.get(c, 0), last.get(c, 0), refunded.get(c, 0))
        for c in sorted(set(this) | set(last) | set(refunded) | {coach.currency})
    ]
    completed_total, completed_month = db.session.execute(
        sa.select(sa.func.count(Booking.id),
                  sa.func.count(Booking.id).filter(Booking.completed_at >= start, Booking.completed_at < end))
        .where(Booking.coach_id == coach.id, Booking.status == BookingStatus.COMPLETED)
    ).one()  # fmt: skip
    rating_avg, rating_count = db.session.execute(
        sa.select(sa.func.avg(Review.rating), sa.func.count(Review.id)).where(Review.coach_id == coach.id)
    ).one()
    upcoming = db.session.scalars(
        sa.select(Booking)
        .where(Booking.coach_id == coach.id, Booking.status == BookingStatus.CONFIRMED, Booking.starts_at >= utcnow())
        .order_by(Booking.starts_at)
        .limit(UPCOMING_LIMIT)
    ).all()
    unread = unread_count(user)
    completeness, missing = _completeness(coach)
    return CoachDashboard(revenue, completed_total, completed_month,
                          round(float(rating_avg), 2) if rating_avg is not None else None, rating_count,
                          list(upcoming), unread, completeness, missing)  # fmt: skip


@dataclass
class ClientDashboard:
    """A client's sessions and suggestions."""

    upcoming: list[Booking]
    upcoming_count: int
    completed: int
    coaches_seen: list[CoachProfile]
    recommendations: list[CoachProfile]


def _interests(user: User) -> set[str]:
    """Specialization slugs of the coaches booked and of the client's searches."""
    booked = db.session.scalars(
        sa.select(Specialization.slug)
        .join(coach_specializations, coach_specializations.c.specialization_id == Specialization.id)
        .join(Booking, Booking.coach_id == coach_specializations.c.coach_id)
        .where(Booking.client_id == user.id)
        .distinct()
    ).all()
    searched = db.session.scalars(
        sa.select(AnalyticsEvent.properties).where(AnalyticsEvent.user_id == user.id, AnalyticsEvent.name == COACH_SEARCH)
        .order_by(AnalyticsEvent.occurred_at.desc()).limit(50)
    ).all()  # fmt: skip
    return set(booked) | {p.get("specialization") for p in searched if p.get("specialization")}


def client_dashboard(user: User) -> ClientDashboard:
    """Upcoming and completed sessions, coaches seen, and verified coaches matching the client's interests."""
    ahead = (Booking.client_id == user.id, Booking.status == BookingStatus.CONFIRMED, Booking.starts_at >= utcnow())
    upcoming = db.session.scalars(
        sa.select(Booking).where(*ahead).order_by(Booking.starts_at).limit(UPCOMING_LIMIT)
    ).all()
    upcoming_count = db.session.scalar(sa.select(sa.func.count(Booking.id)).where(*ahead))
    completed = sa.select(Booking.coach_id).where(
        Booking.client_id == user.id, Booking.status == BookingStatus.COMPLETED
    )
    completed_count = db.session.scalar(sa.select(sa.func.count()).select_from(completed.subquery()))
    seen = db.session.scalars(
        sa.select(CoachProfile).where(CoachProfile.id.in_(completed)).order_by(CoachProfile.id)
    ).all()
    booked = sa.select(Booking.coach_id).where(Booking.client_id == user.id)
    recommendations: list[CoachProfile] = []
    interests = _interests(user)
    if interests:
        recommendations = db.session.scalars(
            sa.select(CoachProfile)
            .where(
                CoachProfile.is_active.is_(True),
                CoachProfile.user_id != user.id,
                CoachProfile.id.not_in(booked),
                CoachProfile.id.in_(
                    sa.select(coach_specializations.c.coach_id)
                    .join(Specialization, Specialization.id == coach_specializations.c.specialization_id)
                    .where(Specialization.slug.in_(sorted(interests)))
                ),
            )
            .order_by(CoachProfile.rating_avg.desc().nulls_last(), CoachProfile.rating_count.desc(), CoachProfile.id)
            .limit(RECOMMENDATIONS)
        ).all()
    return ClientDashboard(list(upcoming), upcoming_count, completed_count, list(seen), list(recommendations))


def dashboard_context(user: User) -> dict:
    """What the public dashboard shows this user: coach figures for coaches, client figures for clients."""
    context: dict = {"coach_dash": None, "client_dash": None}
    if user.has_role(Role.COACH):
        coach = db.session.scalar(sa.select(CoachProfile).where(CoachProfile.user_id == user.id))
        if coach is not None:
            context["coach_dash"] = coach_dashboard(coach, user)
    if user.has_role(Role.CLIENT):
        context["client_dash"] = client_dashboard(user)
    return context
