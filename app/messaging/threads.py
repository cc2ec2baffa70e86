"""Opening threads (a client's enquiry to a coach, a booking's thread) and who may reach one."""

from __future__ import annotations

import sqlalchemy as sa

from app.accounts.models import User
from app.booking.models import Booking
from app.coaches.models import CoachProfile
from app.core import audit
from app.core.effects import transaction
from app.core.errors import InvalidState, NotFound, ValidationFailed
from app.core.ids import fits
from app.extensions import db
from app.messaging.models import MessageThread, ThreadParticipant


def readable_thread(thread_id, user: User) -> MessageThread:
    """The thread if `user` takes part in it; NotFound for everybody else (moderators included)."""
    thread = db.session.get(MessageThread, thread_id) if isinstance(thread_id, int) and fits(thread_id) else None
    if thread is None or not thread.has_participant(user):
        raise NotFound("No such conversation.")
    return thread


def thread_of_booking(booking_id: int, user: User) -> MessageThread | None:
    """The booking's thread if `user` takes part in it (None otherwise, or before confirmation)."""
    thread = db.session.scalar(sa.select(MessageThread).where(MessageThread.booking_id == booking_id))
    return thread if thread is not None and thread.has_participant(user) else None


def enquiry_between(client: User, coach_user: User) -> MessageThread | None:
    """The pre-booking thread of this pair, if any."""
    return db.session.scalar(
        sa.select(MessageThread).where(
            MessageThread.client_id == client.id,
            MessageThread.coach_user_id == coach_user.id,
            MessageThread.booking_id.is_(None),
        )
    )


def _create(client_id: int, coach_user_id: int, booking_id: int | None, actor: User | None) -> MessageThread:
    thread = MessageThread(client_id=client_id, coach_user_id=coach_user_id, booking_id=booking_id)
    db.session.add(thread)
    db.session.flush()
    db.session.add_all([ThreadParticipant(thread_id=thread.id, user_id=uid) for uid in (client_id, coach_user_id)])
    audit.record(actor, "message_thread.open", thread, None, {"booking_id": booking_id})
    return thread


def _lock_pair(client_id: int, coach_user_id: int) -> None:
    """Two first messages at once open one enquiry thread: the second waits for the first."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(sa.text("SELECT pg_advisory_xact_lock(:a, :b)"), {"a": client_id, "b": coach_user_id})


def open_enquiry(client: User, coach_user: User) -> tuple[MessageThread, bool]:
    """The client's pre-booking thread with a coach (created if needed); (thread, created)."""
    if coach_user.id == client.id:
        raise ValidationFailed("You cannot message yourself.")
    if not coach_user.has_role("coach"):
        raise NotFound("No such coach.")
    with transaction():
        _lock_pair(client.id, coach_user.id)
        existing = enquiry_between(client, coach_user)
        if existing is not None:
            return existing, False
        return _create(client.id, coach_user.id, None, client), True


def open_enquiry_with_coach_profile(client: User, coach_id) -> tuple[MessageThread, bool]:
    """POST /api/messages/thread {"coach_id"}: a listed coach's profile id."""
    coach = db.session.get(CoachProfile, coach_id) if isinstance(coach_id, int) and fits(coach_id) else None
    if coach is None or not coach.is_active or not coach.user.is_active:
        raise NotFound("No such coach.")
    return open_enquiry(client, coach.user)


def ensure_booking_thread(booking: Booking) -> MessageThread:
    """The booking's thread, created if missing; joins the caller's transaction (flushes only)."""
    existing = db.session.scalar(sa.select(MessageThread).where(MessageThread.booking_id == booking.id))
    if existing is not None:
        return existing
    return _create(booking.client_id, booking.coach.user_id, booking.id, None)


def on_booking_confirmed(booking: Booking, **_) -> None:
    """Signal receiver: a confirmed booking gets its thread in the confirming transaction."""
    ensure_booking_thread(booking)


def open_booking_thread(actor: User, booking_id) -> tuple[MessageThread, bool]:
    """POST /api/messages/thread {"booking_id"}: the session's thread for its client or coach."""
    booking = db.session.get(Booking, booking_id) if isinstance(booking_id, int) and fits(booking_id) else None
    if booking is None or actor.id not in (booking.client_id, booking.coach.user_id):
        raise NotFound("No such booking.")
    if not booking.is_kept:
        raise InvalidState("A session's conversation opens once the booking is confirmed.", code="not_confirmed")
    with transaction():
        existed = db.session.scalar(sa.select(MessageThread.id).where(MessageThread.booking_id == booking.id))
        thread = ensure_booking_thread(booking)
    return thread, existed is None


def participant(thread: MessageThread, user_id: int) -> ThreadParticipant:
    """The participant row (watermarks) of a thread member."""
    row = db.session.get(ThreadParticipant, (thread.id, user_id))
    if row is None:  # threads from before watermarks: created on first use
        row = ThreadParticipant(thread_id=thread.id, user_id=user_id)
        db.session.add(row)
        db.session.flush()
    return row
