"""Demo video session outcomes on four completed bookings: two held sessions, a technical failure in
staff's queue and a client no-show the client contested (with their attendance intervals)."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from app.booking.models import Booking, BookingStatus
from app.core import audit
from app.extensions import db
from app.video.models import AttendanceInterval, IntervalKind, Outcome, OutcomeStatus, SessionOutcome

# (outcome, status, client minutes present, coach minutes present, minutes media flowed)
PLAN = [
    (Outcome.COMPLETED, OutcomeStatus.FINAL, 58, 60, 57),
    (Outcome.TECHNICAL_FAILURE, OutcomeStatus.AWAITING_STAFF, 12, 14, 0),
    (Outcome.CLIENT_NO_SHOW, OutcomeStatus.CONTESTED, 0, 25, 0),
    (Outcome.COMPLETED, OutcomeStatus.FINAL, 45, 46, 44),
]
CONTEST = "I was in the waiting room the whole time; the page said the coach had not joined."


def _interval(booking: Booking, role: str, kind: IntervalKind, minutes: int) -> None:
    user_id = booking.client_id if role == "client" else booking.coach.user_id
    start = booking.starts_at + timedelta(minutes=1 if role == "coach" else 2)
    db.session.add(
        AttendanceInterval(booking_id=booking.id, user_id=user_id, role=role, provider="p2p", kind=kind,
                           started_at=start, ended_at=start + timedelta(minutes=minutes), is_open=False)
    )  # fmt: skip


def seed_video_outcomes() -> int:
    """Give the four most recent completed demo bookings an outcome, once; returns how many were added."""
    bookings = db.session.scalars(
        sa.select(Booking).where(Booking.status == BookingStatus.COMPLETED).order_by(Booking.starts_at.desc()).limit(4)
    ).all()
    added = 0
    for booking, (outcome, status, client, coach, media) in zip(bookings, PLAN, strict=False):
        if db.session.scalar(sa.select(SessionOutcome.id).where(SessionOutcome.booking_id == booking.id)):
            continue
        for role, minutes in (("client", client), ("coach", coach)):
            if minutes:
                _interval(booking, role, IntervalKind.PRESENT, minutes)
        if media:
            _interval(booking, "client", IntervalKind.MEDIA, media)
        decided = booking.ends_at + timedelta(minutes=15)
        row = SessionOutcome(booking_id=booking.id, outcome=outcome, status=status, decided_at=decided,
                             client_seconds=client * 60, coach_seconds=coach * 60, media_seconds=media * 60)  # fmt: skip
        if status == OutcomeStatus.CONTESTED:
            row.contested_by_id, row.contested_at, row.contest_reason = booking.client_id, decided, CONTEST
        db.session.add(row)
        db.session.flush()
        audit.record(None, "video.outcome.decided", row, None, {"booking_id": booking.id, "outcome": outcome.value},
                     at=decided)  # fmt: skip
        added += 1
    return added
