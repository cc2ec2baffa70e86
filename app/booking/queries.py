"""Read-side queries for booking lists."""

from __future__ import annotations

import sqlalchemy as sa

from app.booking.models import Booking
from app.coaches.models import CoachProfile
from app.core.db import utcnow
from app.extensions import db


def bookings_for(user, limit_past: int = 50) -> tuple[list[Booking], list[Booking]]:
    """The user's bookings as client or coach: (upcoming, past)."""
    coach_id = db.session.scalar(sa.select(CoachProfile.id).where(CoachProfile.user_id == user.id))
    mine = (
        sa.or_(Booking.client_id == user.id, Booking.coach_id == coach_id) if coach_id else Booking.client_id == user.id
    )
    now = utcnow()
    upcoming = db.session.scalars(sa.select(Booking).where(mine, Booking.ends_at > now).order_by(Booking.starts_at))
    past = db.session.scalars(
        sa.select(Booking).where(mine, Booking.ends_at <= now).order_by(Booking.starts_at.desc()).limit(limit_past)
    )
    return list(upcoming), list(past)
