"""The maintenance commands a scheduler runs."""

from __future__ import annotations

from datetime import timedelta

from app.booking.models import Booking, BookingStatus
from app.coaches.models import CoachProfile
from app.core.db import utcnow
from app.extensions import db
from tests.factories.booking import BookingFactory, bookable_coach


def test_maintain_expires_completes_and_refreshes(app):
    coach, session_type = bookable_coach()
    idle, _ = bookable_coach()
    idle.next_slot_at = utcnow() - timedelta(hours=1)  # stored next slot has passed
    held = BookingFactory(
        session_type=session_type, status=BookingStatus.HELD, hold_expires_at=utcnow() - timedelta(minutes=1)
    )
    past_start = utcnow() - timedelta(hours=3)
    done = BookingFactory(session_type=session_type, starts_at=past_start, ends_at=past_start + timedelta(hours=1))
    result = app.test_cli_runner().invoke(args=["booking", "maintain"])
    assert result.exit_code == 0, result.output
    assert "expired 1, completed 1, refreshed 1" in result.output
    db.session.expire_all()
    assert db.session.get(Booking, held.id).status == BookingStatus.EXPIRED
    assert db.session.get(Booking, done.id).status == BookingStatus.COMPLETED
    assert db.session.get(CoachProfile, idle.id).next_slot_at > utcnow()
    for command in ("expire-holds", "complete-past", "refresh-search"):
        assert app.test_cli_runner().invoke(args=["booking", command]).exit_code == 0
