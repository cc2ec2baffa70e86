"""A slot held for a client: the checks and clean-ups around a booking's claim on its time (the free
slot, the database's no-overlap constraint, run-out holds near it), shared by the hold, the
confirmation and the reschedule in services.py."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, lazyload

from app.accounts.models import User
from app.booking.availability import busy_between, free_slots
from app.booking.models import AvailabilityRule, Booking, BookingStatus, SessionType
from app.booking.signals import HOLD_PAID, HOLD_UNKNOWN, hold_expiring
from app.coaches.models import CoachProfile
from app.core import audit
from app.core.db import utcnow
from app.core.effects import commit, rollback
from app.core.errors import Conflict
from app.core.jobs import enqueue_after_commit
from app.extensions import db

log = logging.getLogger(__name__)


def slot_taken() -> Conflict:
    """409 slot_taken: someone else holds or booked the time."""
    return Conflict("Sorry, that slot has just been taken. Please pick another.", code="slot_taken")


DEADLOCK_DETECTED = "40P01"  # two inserts checking the exclusion constraint against each other


def flush_or_slot_taken() -> None:
    """Flush; the database's no-overlap constraint turns a lost race into 409 slot_taken.

    Racing inserts that conflict under the exclusion constraint can also end in a deadlock, which
    PostgreSQL breaks by aborting one of them: that one lost the race too.
    """
    try:
        db.session.flush()
    except (sa.exc.IntegrityError, sa.exc.OperationalError) as exc:
        if isinstance(exc, sa.exc.OperationalError) and getattr(exc.orig, "sqlstate", None) != DEADLOCK_DETECTED:
            raise
        rollback()
        log.info("booking lost a race for a slot: %s", exc.orig)
        raise slot_taken() from None


def require_free(
    coach: CoachProfile, session_type: SessionType, starts_at: datetime, exclude_id=None, rules=None
) -> datetime:
    """The slot's end if starts_at is a free slot now; else slot_taken or slot_unavailable."""
    now = utcnow()
    duration = timedelta(minutes=session_type.duration_minutes)
    for slot in free_slots(
        coach, session_type, starts_at, starts_at + timedelta(seconds=1), exclude_booking_id=exclude_id, rules=rules
    ):
        if slot.starts_at == starts_at:
            return slot.ends_at
    taken = bool(busy_between(coach.id, starts_at, starts_at + duration, now, exclude_id))
    rollback()  # nothing of this attempt may linger in the session
    if taken:
        raise slot_taken()
    raise Conflict("That time is not an available slot for this coach.", code="slot_unavailable")


# Wider than any buffer (a coach's is at most 240 minutes), so no run-out hold near a new booking
# is left for the database's buffer constraint to trip over.
STALE_HOLD_MARGIN = timedelta(hours=4, minutes=1)


def expire_stale_holds(coach_id: int, starts_at: datetime, ends_at: datetime, now: datetime) -> None:
    """Holds that ran out still sit in the table until expire_holds runs; end those near the slot first."""
    stale = db.session.scalars(
        sa.select(Booking).where(
            Booking.coach_id == coach_id,
            Booking.status == BookingStatus.HELD,
            Booking.hold_expires_at <= now,
            Booking.starts_at < ends_at + STALE_HOLD_MARGIN,
            Booking.ends_at > starts_at - STALE_HOLD_MARGIN,
        )
    ).all()
    paid = False
    for booking in stale:
        answer = kept_for_payment(booking, now)
        paid = paid or answer == HOLD_PAID
        if answer is None:
            booking.transition_to(BookingStatus.EXPIRED)
            audit.record(None, "booking.expire", booking, {"status": "held"}, {"status": "expired"})
            close_payments_later(booking.id)
    if paid:
        commit()  # a success found at the provider stands, whatever becomes of this new booking


# A hold found paid at the provider is kept this long for its confirmation job.
PAID_HOLD_GRACE = timedelta(minutes=10)


def kept_for_payment(booking: Booking, now: datetime) -> str | None:
    """Ask Payments before a run-out hold expires (issue 16, 7): a slot whose payment succeeded at the
    provider, its event not yet here, is kept for the confirmation (HOLD_PAID); one it cannot tell
    about waits (HOLD_UNKNOWN); None: let it expire."""
    answers = {answer for _, answer in hold_expiring.send(booking)}
    if HOLD_PAID in answers:
        before = {"status": booking.status.value, "hold_expires_at": booking.hold_expires_at.isoformat()}
        booking.hold_expires_at = now + PAID_HOLD_GRACE
        audit.record(
            None,
            "booking.hold_kept",
            booking,
            before,
            {"hold_expires_at": booking.hold_expires_at.isoformat(), "reason": "paid at the payment provider"},
        )
        return HOLD_PAID
    return HOLD_UNKNOWN if HOLD_UNKNOWN in answers else None


def close_payments_later(booking_id: int) -> None:
    """Payments cancels the booking's open intents (a success that comes anyway is refunded there)."""
    enqueue_after_commit("workers.payments.cancel_open_intents", booking_id, queue="payments")


def refresh_search_later(coach_id: int) -> None:
    """The coach's search fields (next free slot) are refreshed by a job after the commit."""
    enqueue_after_commit("workers.bookings.refresh_coach_search", coach_id)


# What a hold reads of the coach: the profile and its user, not the search facets or the user's
# roles (three eager loads a hold never looks at; still loaded lazily if something asks).
HOLD_COACH_LOAD = (
    lazyload(CoachProfile.specializations),
    lazyload(CoachProfile.languages),
    joinedload(CoachProfile.user).lazyload(User.role_rows),
)


def hold_parties(coach_id: int, session_type_id: int) -> tuple[CoachProfile | None, SessionType | None, list]:
    """The coach with its user, the session type if it is this coach's, and the coach's weekly hours,
    in one statement (a hold is the hot write: it was three)."""
    rows = db.session.execute(
        sa.select(CoachProfile, SessionType, AvailabilityRule)
        .outerjoin(SessionType, sa.and_(SessionType.id == session_type_id, SessionType.coach_id == CoachProfile.id))
        .outerjoin(AvailabilityRule, AvailabilityRule.coach_id == CoachProfile.id)
        .where(CoachProfile.id == coach_id)
        .options(*HOLD_COACH_LOAD)
    ).all()
    if not rows:
        return None, None, []
    return rows[0][0], rows[0][1], [rule for _, _, rule in rows if rule is not None]
