"""Read-side queries for booking lists."""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.booking.models import Booking, BookingStatus
from app.coaches.models import CoachProfile, Review
from app.core.db import utcnow
from app.extensions import db

UPCOMING_STATUSES = (BookingStatus.HELD, BookingStatus.CONFIRMED)


def bookings_for(user, limit_past: int = 50) -> tuple[list[Booking], list[Booking]]:
    """The user's bookings as client or coach: (upcoming, past); cancelled and expired ones are past."""
    coach_id = db.session.scalar(sa.select(CoachProfile.id).where(CoachProfile.user_id == user.id))
    mine = (
        sa.or_(Booking.client_id == user.id, Booking.coach_id == coach_id) if coach_id else Booking.client_id == user.id
    )
    now = utcnow()
    live = sa.and_(Booking.ends_at > now, Booking.status.in_(UPCOMING_STATUSES))
    shown = sa.select(Booking).options(
        so.selectinload(Booking.session_type),
        so.selectinload(Booking.client),
        so.selectinload(Booking.coach).selectinload(CoachProfile.user),
    )
    upcoming = db.session.scalars(shown.where(mine, live).order_by(Booking.starts_at))
    past = db.session.scalars(shown.where(mine, sa.not_(live)).order_by(Booking.starts_at.desc()).limit(limit_past))
    return list(upcoming), list(past)


def review_of(booking_id: int) -> Review | None:
    """The client's review of this booking, if they left one."""
    return db.session.scalars(sa.select(Review).where(Review.booking_id == booking_id)).first()
