"""Reschedule and cancel by both parties, with the policy's boundary cases and the refund hand-off."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.booking import services
from app.booking.models import Booking, BookingStatus
from app.core.db import utcnow
from app.core.errors import Conflict, InvalidState, NotFound, ValidationFailed
from app.core.models import AuditLog, JobFailure
from app.extensions import db
from app.payments.models import Payment, Refund, RefundReason
from tests.booking.helpers import first_slot, mails
from tests.factories import UserFactory
from tests.factories.booking import BookingFactory, SessionTypeFactory, bookable_coach
from tests.factories.payments import PaidPaymentFactory


def confirmed_at(hours_ahead: float, *, paid: bool = True, **coach_fields):
    """A confirmed, paid booking starting `hours_ahead` from now (coach notice 12 h by default)."""
    coach, session_type = bookable_coach(**coach_fields)
    starts = utcnow() + timedelta(hours=hours_ahead)
    booking = BookingFactory(session_type=session_type, starts_at=starts, ends_at=starts + timedelta(hours=1))
    if paid:
        PaidPaymentFactory(booking=booking, idempotency_key=f"k{booking.id}")
    return booking


def refund_jobs():
    """[booking_id, amount] of each refund the policy handed to Payments (workers.refunds)."""
    db.session.expire_all()
    failed = [f.func for f in db.session.scalars(sa.select(JobFailure))]
    assert not failed, failed
    rows = db.session.execute(
        sa.select(Payment.booking_id, Refund.amount, Refund.reason).join(Payment, Refund.payment_id == Payment.id)
    )
    assert all(reason == RefundReason.SESSION_CANCELLED for _, _, reason in rows)
    rows = db.session.execute(
        sa.select(Payment.booking_id, Refund.amount).join(Payment, Refund.payment_id == Payment.id)
    )
    return [[booking_id, amount] for booking_id, amount in rows]


def last_audit(action: str = "booking."):
    """The latest booking audit row (Payments adds its own rows after ours)."""
    return db.session.scalars(
        sa.select(AuditLog).where(AuditLog.action.startswith(action)).order_by(AuditLog.id.desc())
    ).first()


@pytest.mark.parametrize(
    ("hours", "refund"),
    [(24 + 1 / 60, 8000), (24.01, 8000), (23.98, 0), (12.05, 0)],
)
def test_client_cancel_refund_boundary_at_24_hours(hours, refund):
    booking = confirmed_at(hours)
    services.cancel_booking(booking, booking.client, "")
    booking = db.session.get(Booking, booking.id)
    assert booking.status == BookingStatus.CANCELLED
    assert booking.cancelled_by_id == booking.client_id and booking.cancel_reason == "Cancelled by the client."
    assert last_audit().after["refund"] == refund
    # The refund job belongs to Payments (workers.refunds.refund_cancelled_booking).
    assert refund_jobs() == ([[booking.id, refund]] if refund else [])
    assert "booking_cancelled" in {m.template for m in mails()}


def test_client_cannot_cancel_inside_the_coach_notice():
    booking = confirmed_at(11.9)
    with pytest.raises(InvalidState) as err:
        services.cancel_booking(booking, booking.client)
    assert err.value.code == "too_late"
    assert db.session.get(Booking, booking.id).status == BookingStatus.CONFIRMED


def test_notice_is_per_coach():
    booking = confirmed_at(3, client_cancel_notice_hours=2)
    services.cancel_booking(booking, booking.client)
    assert refund_jobs() == []  # allowed, but under 24 h: no refund


def test_coach_cancels_any_time_with_a_reason_and_refunds_in_full():
    booking = confirmed_at(2)
    coach_user = booking.coach.user
    with pytest.raises(ValidationFailed):
        services.cancel_booking(booking, coach_user, "  ")
    services.cancel_booking(booking, coach_user, "I am ill")
    booking = db.session.get(Booking, booking.id)
    assert booking.cancel_reason == "I am ill" and booking.cancelled_by_id == coach_user.id
    assert refund_jobs() == [[booking.id, 8000]]
    client_mail = next(m for m in mails() if m.to_address == booking.client.email)
    assert "I am ill" in client_mail.text_body and "refunded EUR 80.00" in client_mail.text_body


def test_unpaid_hold_cancel_needs_no_refund_and_others_get_404():
    booking = confirmed_at(48, paid=False)
    with pytest.raises(NotFound):
        services.cancel_booking(booking, UserFactory())
    services.cancel_booking(booking, booking.client)
    assert refund_jobs() == []
    with pytest.raises(InvalidState):
        services.cancel_booking(booking, booking.client)


def test_cannot_change_a_started_session():
    booking = confirmed_at(-0.5)
    with pytest.raises(InvalidState):
        services.cancel_booking(booking, booking.coach.user, "late")


def test_client_reschedules_to_a_free_slot_and_the_reminder_follows():
    booking = confirmed_at(48)
    services.confirm_booking(booking.id)  # no-op (already confirmed)
    booking.reminder_job_id = "inline-old"
    db.session.commit()
    target = first_slot(booking.coach, booking.session_type, after_hours=72)
    services.reschedule_booking(booking, booking.client, target.starts_at)
    db.session.expire_all()
    booking = db.session.get(Booking, booking.id)
    assert (booking.starts_at, booking.ends_at) == (target.starts_at, target.ends_at)
    assert booking.reminder_job_id not in (None, "inline-old")
    assert last_audit().action == "booking.reschedule"
    assert {m.template for m in mails()} == {"booking_rescheduled"}


def test_reschedule_onto_a_taken_slot_is_slot_taken():
    booking = confirmed_at(48)
    other = BookingFactory(session_type=booking.session_type, starts_at=booking.starts_at + timedelta(hours=24))
    other.ends_at = other.starts_at + timedelta(hours=1)
    db.session.commit()
    with pytest.raises(Conflict) as err:
        services.reschedule_booking(booking, booking.client, other.starts_at)
    assert err.value.code == "slot_taken"


def test_reschedule_rules_by_party():
    booking = confirmed_at(5)
    target = first_slot(booking.coach, booking.session_type, after_hours=30)
    with pytest.raises(InvalidState):
        services.reschedule_booking(booking, booking.client, target.starts_at)
    with pytest.raises(ValidationFailed):
        services.reschedule_booking(booking, booking.coach.user, target.starts_at)
    services.reschedule_booking(booking, booking.coach.user, target.starts_at, "Conference overran")
    assert last_audit().after["reason"] == "Conference overran"


def test_cancel_removes_the_reminder():
    booking = confirmed_at(48)
    booking.reminder_job_id = "inline-abc"
    db.session.commit()
    services.cancel_booking(booking, booking.client)
    assert db.session.get(Booking, booking.id).reminder_job_id is None


def test_other_session_type_of_same_coach_is_independent():
    SessionTypeFactory()  # noise: another coach
    booking = confirmed_at(48)
    assert booking.status == BookingStatus.CONFIRMED


def test_refund_amount_exact_boundaries():
    from app.booking.services import refund_amount

    start = utcnow() + timedelta(days=5)
    booking = Booking(starts_at=start, amount=8000)
    assert refund_amount(booking, "client", start - timedelta(hours=24)) == 8000
    assert refund_amount(booking, "client", start - timedelta(hours=24) + timedelta(microseconds=1)) == 0
    assert refund_amount(booking, "coach", start - timedelta(minutes=1)) == 8000
