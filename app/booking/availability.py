"""Loads a coach's hours, exceptions and busy times from the database and asks slots.py for slots."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from app.booking.models import (
    AvailabilityException,
    AvailabilityRule,
    Booking,
    BookingStatus,
    SessionType,
)
from app.booking.slots import Busy, DatedException, Policy, Slot, WeeklyHours, compute_slots
from app.coaches.models import CoachProfile
from app.core.db import utcnow
from app.extensions import db


def active_booking_clause(now: datetime):
    """Bookings that block a slot: confirmed ones and holds that have not run out."""
    return sa.or_(
        Booking.status == BookingStatus.CONFIRMED,
        sa.and_(
            Booking.status == BookingStatus.HELD,
            sa.or_(Booking.hold_expires_at.is_(None), Booking.hold_expires_at > now),
        ),
    )


def busy_between(coach_id: int, start: datetime, end: datetime, now: datetime, exclude_id: int | None = None):
    """The coach's blocking bookings overlapping [start, end)."""
    stmt = sa.select(Booking.starts_at, Booking.ends_at).where(
        Booking.coach_id == coach_id,
        Booking.starts_at < end,
        Booking.ends_at > start,
        active_booking_clause(now),
    )
    if exclude_id is not None:
        stmt = stmt.where(Booking.id != exclude_id)
    return [Busy(s, e) for s, e in db.session.execute(stmt)]


def free_slots(
    coach: CoachProfile,
    session_type: SessionType,
    start: datetime,
    end: datetime,
    *,
    now: datetime | None = None,
    exclude_booking_id: int | None = None,
    rules: list[AvailabilityRule] | None = None,
) -> list[Slot]:
    """Free slots of one session type starting in [start, end), UTC (`rules`: the coach's weekly
    hours when the caller has read them already)."""
    now = now or utcnow()
    if rules is None:
        rules = db.session.scalars(sa.select(AvailabilityRule).where(AvailabilityRule.coach_id == coach.id))
    margin = timedelta(days=2)
    exceptions = db.session.scalars(
        sa.select(AvailabilityException).where(
            AvailabilityException.coach_id == coach.id,
            AvailabilityException.on_date >= (start - margin).date(),
            AvailabilityException.on_date <= (end + margin).date(),
        )
    )
    buffer = timedelta(minutes=coach.buffer_minutes)
    busy = busy_between(coach.id, start - margin, end + margin, now, exclude_booking_id)
    return compute_slots(
        timezone=coach.timezone,
        weekly=[WeeklyHours(r.weekday, r.start_time, r.end_time) for r in rules],
        exceptions=[DatedException(e.on_date, e.kind.value, e.start_time, e.end_time) for e in exceptions],
        policy=Policy(
            duration_minutes=session_type.duration_minutes,
            buffer_minutes=int(buffer.total_seconds() // 60),
            min_notice_hours=coach.min_notice_hours,
            horizon_days=coach.horizon_days,
        ),
        busy=busy,
        now=now,
        range_start=start,
        range_end=end,
    )


def active_session_types(coach_id: int) -> list[SessionType]:
    """The coach's bookable session types, cheapest first."""
    return list(
        db.session.scalars(
            sa.select(SessionType)
            .where(SessionType.coach_id == coach_id, SessionType.is_active.is_(True))
            .order_by(SessionType.price_amount, SessionType.id)
        )
    )


def next_free_slot(coach: CoachProfile, *, now: datetime | None = None, days: int | None = None) -> Slot | None:
    """The earliest free slot of any active session type within the horizon (or `days`)."""
    now = now or utcnow()
    end = now + timedelta(days=days if days is not None else coach.horizon_days)
    best = None
    for session_type in active_session_types(coach.id):
        # Look a week at a time so a busy coach does not compute the whole horizon at once.
        start = now
        while start < end:
            chunk_end = min(start + timedelta(days=7), end)
            found = free_slots(coach, session_type, start, chunk_end, now=now)
            if found:
                if best is None or found[0].starts_at < best.starts_at:
                    best = found[0]
                break
            if best is not None and chunk_end >= best.starts_at:
                break
            start = chunk_end
    return best
