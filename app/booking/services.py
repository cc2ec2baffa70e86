"""Booking state changes: hold, confirm, reschedule, cancel, expire, complete, review.

Cancellation policy (POLICY_TEXT): a client may cancel or reschedule up to the coach's notice
(client_cancel_notice_hours) before the start; a client's cancellation at least 24 hours ahead is
refunded in full, later ones are not refunded, and a booking the client moves once it is inside
those 24 hours stays non-refundable (Booking.full_refund_until); a coach may cancel or reschedule at any time
(inside the client notice only with a reason) and a coach's cancellation is always refunded in full.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from app.analytics import tracking
from app.booking.availability import busy_between
from app.booking.holds import (
    close_payments_later,
    expire_stale_holds,
    flush_or_slot_taken,
    hold_parties,
    kept_for_payment,
    refresh_search_later,
    require_free,
)
from app.booking.models import FULL_REFUND_HOURS, Booking, BookingStatus
from app.booking.notifications import mail_both, schedule_reminder, unschedule_reminder
from app.booking.signals import (
    booking_cancelled,
    booking_confirmed,
    booking_rescheduled,
)
from app.coaches.models import CoachProfile, Review
from app.core import audit
from app.core.db import utcnow
from app.core.effects import commit, rollback
from app.core.errors import Conflict, InvalidState, NotFound, ValidationFailed
from app.core.inputs import check_moment
from app.core.jobs import enqueue_after_commit
from app.extensions import db

log = logging.getLogger(__name__)

POLICY_TEXT = (
    f"Cancel at least {FULL_REFUND_HOURS} hours before the session for a full refund; later cancellations are "
    f"not refunded. Rescheduling does not restart the {FULL_REFUND_HOURS} hours: a session you move when it is "
    "less than that away stays non-refundable at its new time (if your coach moves it, they count from the new "
    "time). Clients can cancel or reschedule until {notice} hours before the start. "
    "If your coach cancels, you are always refunded in full."
)


def policy_text(coach: CoachProfile) -> str:
    """The cancellation policy in words, with this coach's notice."""
    return POLICY_TEXT.format(notice=coach.client_cancel_notice_hours)


def _snapshot(booking: Booking) -> dict:
    return {
        "status": booking.status.value,
        "starts_at": booking.starts_at.isoformat(),
        "ends_at": booking.ends_at.isoformat(),
    }


def create_booking(client, coach_id: int, session_type_id: int, starts_at: datetime, notes: str = "") -> Booking:
    """Hold a slot for the client while payment is pending; the price comes from the session type."""
    coach, session_type, rules = hold_parties(coach_id, session_type_id)
    if coach is None or not coach.is_active or not coach.user.is_active:
        raise NotFound("No such coach.")
    if session_type is None or not session_type.is_active:
        raise ValidationFailed("Pick one of this coach's session types.", fields={"session_type_id": "unknown"})
    if coach.user_id == client.id:
        raise ValidationFailed("You cannot book yourself.")
    if starts_at.tzinfo is None:
        raise ValidationFailed("Give the start time with its UTC offset.", fields={"starts_at": "needs an offset"})
    check_moment(starts_at, "starts_at")
    now = utcnow()
    duration = timedelta(minutes=session_type.duration_minutes)
    expire_stale_holds(coach.id, starts_at, starts_at + duration, now)
    ends_at = require_free(coach, session_type, starts_at, rules=rules)
    booking = Booking(
        client_id=client.id,
        coach_id=coach.id,
        session_type_id=session_type.id,
        starts_at=starts_at,
        ends_at=ends_at,
        status=BookingStatus.HELD,
        hold_expires_at=now + timedelta(minutes=current_app.config["BOOKING_HOLD_MINUTES"]),
        amount=session_type.price_amount,
        currency=session_type.currency,
        buffer_minutes=coach.buffer_minutes,
        notes=(notes or "").strip()[:2000],
    )
    db.session.add(booking)
    flush_or_slot_taken()
    audit.record(client, "booking.hold", booking, None, {**_snapshot(booking), "amount": booking.amount})
    tracking.track(tracking.SLOT_HELD, client, coach.id, booking_id=booking.id)
    refresh_search_later(coach.id)
    commit(keep_loaded=True)  # the answer shows what this commit wrote, without reading it back
    return booking


def confirm_booking(booking_id: int) -> Booking | None:
    """A payment succeeded: confirm the booking (idempotent), mail both sides, schedule the reminder.

    A hold that ran out is still confirmed when its slot is free; if the slot went to someone
    else meanwhile, the booking is cancelled and refunded in full.
    """
    booking = db.session.get(Booking, booking_id, with_for_update=True)
    if booking is None:
        raise NotFound(f"No booking {booking_id}.")
    if booking.status != BookingStatus.HELD and booking.status != BookingStatus.EXPIRED:
        log.info("booking %s is %s; nothing to confirm", booking.id, booking.status.value)
        return booking
    now = utcnow()
    hold_valid = booking.status == BookingStatus.HELD and (booking.hold_expires_at or now) > now
    before = _snapshot(booking)
    buffer = timedelta(minutes=booking.buffer_minutes)
    if not hold_valid and busy_between(
        booking.coach_id, booking.starts_at - buffer, booking.ends_at + buffer, now, booking.id
    ):
        reason = "The slot was taken after the hold expired; refunded in full."
        if booking.status == BookingStatus.HELD:
            booking.transition_to(BookingStatus.CANCELLED)
            booking.cancelled_at, booking.cancel_reason = now, reason
        audit.record(None, "booking.confirm_failed", booking, before, {**_snapshot(booking), "reason": reason})
        enqueue_after_commit("workers.refunds.refund_cancelled_booking", booking.id, booking.amount, queue="payments")
        commit()
        return booking
    booking.transition_to(BookingStatus.CONFIRMED)
    booking.confirmed_at = now
    booking.hold_expires_at = None
    flush_or_slot_taken()
    audit.record(None, "booking.confirm", booking, before, _snapshot(booking))
    booking_confirmed.send(booking)
    tracking.track(tracking.BOOKING_CONFIRMED, booking.client_id, booking.coach_id, booking_id=booking.id)
    mail_both(booking, "booking_confirmed", "Your coaching session is booked")
    schedule_reminder(booking)
    commit()
    return booking


def _party(booking: Booking, actor) -> str:
    """'client' or 'coach'; anyone else gets 404."""
    party = booking.party_of(actor)
    if party is None:
        raise NotFound("No such booking.")
    return party


def _check_changeable(booking: Booking, actor, party: str, reason: str, now: datetime) -> None:
    """Raise the model's refusal; a coach inside the client notice must give a reason."""
    refusal = booking.change_refusal(actor, now)
    if refusal is not None:
        raise refusal
    if party == "coach" and booking.is_inside_notice(now) and not reason.strip():
        raise ValidationFailed("Give the client a reason for the short notice.", fields={"reason": "required"})


def refund_amount(booking: Booking, party: str, now: datetime) -> int:
    """What the policy refunds: coach cancellations in full, clients in full only until the deadline
    (24 h before the start, or the deadline a move inside those 24 h kept)."""
    if party == "coach" or now <= booking.full_refund_deadline():
        return booking.amount
    return 0


def cancellation_refund(booking: Booking, actor, now: datetime) -> int:
    """What cancelling now would refund `actor`'s booking: the policy's amount, at most what is paid."""
    return min(refund_amount(booking, _party(booking, actor), now), _paid_remaining(booking))


def refundable_after_move(booking: Booking, actor, now: datetime) -> bool:
    """Whether `actor` could still cancel for a full refund after moving the booking now."""
    party = _party(booking, actor)
    return party == "coach" or now <= booking.full_refund_deadline()


def _paid_remaining(booking: Booking) -> int:
    from app.payments.models import Payment, PaymentStatus

    rows = db.session.execute(
        sa.select(Payment.amount, Payment.amount_refunded).where(
            Payment.booking_id == booking.id, Payment.status == PaymentStatus.SUCCEEDED
        )
    )
    return sum(amount - refunded for amount, refunded in rows)


def cancel_booking(booking: Booking, actor, reason: str = "") -> Booking:
    """Cancel by the client or the coach under the policy; Payments hears `booking_cancelled` and refunds."""
    party = _party(booking, actor)
    now = utcnow()
    reason = (reason or "").strip()
    if party == "coach" and not reason:
        raise ValidationFailed("Tell the client why you cancel.", fields={"reason": "required"})
    # Locked, so a payment succeeding at the same moment is decided before or after, never between.
    db.session.refresh(booking, with_for_update=True)
    _check_changeable(booking, actor, party, reason, now)
    before = _snapshot(booking)
    refund = cancellation_refund(booking, actor, now)
    booking.transition_to(BookingStatus.CANCELLED)
    booking.cancelled_at = now
    booking.cancelled_by_id = actor.id
    booking.cancel_reason = reason or f"Cancelled by the {party}."
    booking.hold_expires_at = None
    booking.ics_sequence += 1
    unschedule_reminder(booking)
    audit.record(actor, "booking.cancel", booking, before, {**_snapshot(booking), "by": party, "refund": refund})
    if before["status"] == BookingStatus.CONFIRMED.value:
        mail_both(booking, "booking_cancelled", "Your coaching session was cancelled", cancelled=True, refund=refund)
    booking_cancelled.send(booking, refund=refund)  # Payments refunds it and closes open intents
    refresh_search_later(booking.coach_id)
    commit()
    return booking


def reschedule_booking(booking: Booking, actor, starts_at: datetime, reason: str = "") -> Booking:
    """Move the booking to another free slot of the same session type; the reminder follows."""
    party = _party(booking, actor)
    now = utcnow()
    _check_changeable(booking, actor, party, reason or "", now)
    if starts_at.tzinfo is None:
        raise ValidationFailed("Give the start time with its UTC offset.", fields={"starts_at": "needs an offset"})
    check_moment(starts_at, "starts_at")
    if starts_at == booking.starts_at:
        raise ValidationFailed("Pick a different time.", fields={"starts_at": "unchanged"})
    session_type = booking.session_type
    expire_stale_holds(booking.coach_id, starts_at, starts_at + timedelta(minutes=session_type.duration_minutes), now)
    ends_at = require_free(booking.coach, session_type, starts_at, exclude_id=booking.id)
    before = _snapshot(booking)
    booking.keep_refund_deadline_on_move(party, now)
    booking.starts_at, booking.ends_at = starts_at, ends_at
    booking.buffer_minutes = booking.coach.buffer_minutes
    booking.ics_sequence += 1
    flush_or_slot_taken()
    audit.record(actor, "booking.reschedule", booking, before, {**_snapshot(booking), "by": party, "reason": reason})
    if booking.status == BookingStatus.CONFIRMED:
        unschedule_reminder(booking)
        schedule_reminder(booking)
        mail_both(booking, "booking_rescheduled", "Your coaching session has moved", previous=before, reason=reason)
        booking_rescheduled.send(booking)  # the notification center lists it
    refresh_search_later(booking.coach_id)
    commit()
    return booking


def expire_holds(now: datetime | None = None) -> int:
    """End every hold past hold_expires_at; returns how many."""
    now = now or utcnow()
    stale = list(
        db.session.scalars(
            sa.select(Booking).where(Booking.status == BookingStatus.HELD, Booking.hold_expires_at <= now)
        )
    )
    expired = 0
    for booking in stale:
        if kept_for_payment(booking, now) is not None:
            continue
        booking.transition_to(BookingStatus.EXPIRED)
        audit.record(None, "booking.expire", booking, {"status": "held"}, {"status": "expired"})
        close_payments_later(booking.id)
        refresh_search_later(booking.coach_id)
        expired += 1
    commit()
    return expired


def complete_past_bookings(now: datetime | None = None) -> int:
    """Confirmed sessions that have ended become completed; returns how many."""
    now = now or utcnow()
    done = list(
        db.session.scalars(sa.select(Booking).where(Booking.status == BookingStatus.CONFIRMED, Booking.ends_at <= now))
    )
    for booking in done:
        booking.transition_to(BookingStatus.COMPLETED)
        booking.completed_at = now
        audit.record(None, "booking.complete", booking, {"status": "confirmed"}, {"status": "completed"})
    commit()
    return len(done)


def leave_review(booking: Booking, client, rating: int, body: str = "") -> Review:
    """The client's one review of a completed session; updates the coach's average."""
    if booking.party_of(client) != "client":
        raise NotFound("No such booking.")
    if not booking.can_be_reviewed_by(client):
        raise InvalidState("You can review a session once it has taken place.")
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ValidationFailed("Rate from 1 to 5.", fields={"rating": "1 to 5"})
    if db.session.scalar(sa.select(Review.id).where(Review.booking_id == booking.id)):
        raise Conflict("You have already reviewed this session.", code="already_reviewed")
    # Lock the coach row so concurrent reviews update the average one after the other.
    db.session.execute(sa.select(CoachProfile.id).where(CoachProfile.id == booking.coach_id).with_for_update())
    coach = db.session.get(CoachProfile, booking.coach_id)
    review = Review(booking_id=booking.id, coach_id=coach.id, client_id=client.id, rating=rating, body=body.strip())
    db.session.add(review)
    try:
        db.session.flush()
    except sa.exc.IntegrityError:
        rollback()
        raise Conflict("You have already reviewed this session.", code="already_reviewed") from None
    count, avg = db.session.execute(
        sa.select(sa.func.count(Review.id), sa.func.avg(Review.rating)).where(Review.coach_id == coach.id)
    ).one()
    coach.rating_count, coach.rating_avg = count, round(float(avg), 2)
    audit.record(client, "review.create", review, None, {"rating": rating, "booking_id": booking.id})
    commit()
    return review
