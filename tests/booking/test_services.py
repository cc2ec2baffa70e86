"""Booking services: hold, confirm (the Payments contract), reminders, expiry, completion, reviews."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.booking import services
from app.booking.models import Booking, BookingStatus
from app.coaches.models import CoachProfile
from app.core.db import utcnow
from app.core.errors import Conflict, InvalidState, NotFound, ValidationFailed
from app.core.models import JobFailure
from app.extensions import db
from tests.booking.helpers import audit_actions, first_slot, mails
from tests.factories import UserFactory
from tests.factories.booking import BookingFactory, SessionTypeFactory, bookable_coach


def hold(client=None, coach=None, session_type=None, after_hours=0):
    if coach is None:
        coach, session_type = bookable_coach()
    client = client or UserFactory()
    slot = first_slot(coach, session_type, after_hours)
    return services.create_booking(client, coach.id, session_type.id, slot.starts_at, "Career change"), coach


def test_create_booking_holds_the_slot_at_the_session_price(app):
    coach, session_type = bookable_coach()
    client = UserFactory()
    slot = first_slot(coach, session_type)
    booking = services.create_booking(client, coach.id, session_type.id, slot.starts_at, " hi ")
    assert booking.status == BookingStatus.HELD
    assert (booking.amount, booking.currency) == (8000, "EUR")
    assert booking.ends_at - booking.starts_at == timedelta(minutes=60)
    minutes = (booking.hold_expires_at - utcnow()).total_seconds() / 60
    assert app.config["BOOKING_HOLD_MINUTES"] - 1 < minutes <= app.config["BOOKING_HOLD_MINUTES"]
    assert booking.notes == "hi"
    assert audit_actions() == ["booking.hold"]
    assert slot not in first_slot.__globals__["free_slots"](coach, session_type, slot.starts_at, slot.ends_at)
    # the search fields were refreshed after the commit (inline job)
    db.session.expire_all()
    assert db.session.get(CoachProfile, coach.id).price_from_amount == 8000


def test_second_hold_on_the_same_slot_is_slot_taken():
    coach, session_type = bookable_coach()
    slot = first_slot(coach, session_type)
    services.create_booking(UserFactory(), coach.id, session_type.id, slot.starts_at)
    with pytest.raises(Conflict) as err:
        services.create_booking(UserFactory(), coach.id, session_type.id, slot.starts_at)
    assert err.value.code == "slot_taken"
    assert db.session.scalar(sa.select(sa.func.count(Booking.id))) == 1


def test_database_refuses_overlap_even_without_the_python_check():
    """The exclusion constraint, not only Python, prevents double booking."""
    booking = BookingFactory()
    clash = Booking(
        client_id=UserFactory().id,
        coach_id=booking.coach_id,
        session_type_id=booking.session_type_id,
        starts_at=booking.starts_at + timedelta(minutes=30),
        ends_at=booking.ends_at + timedelta(minutes=30),
        status=BookingStatus.HELD,
        amount=1,
        currency="EUR",
    )
    db.session.add(clash)
    with pytest.raises(sa.exc.IntegrityError, match="bookings_no_overlap"):
        db.session.flush()
    db.session.rollback()


def test_invalid_requests():
    coach, session_type = bookable_coach()
    other = SessionTypeFactory()
    slot = first_slot(coach, session_type)
    with pytest.raises(ValidationFailed):
        services.create_booking(UserFactory(), coach.id, other.id, slot.starts_at)
    with pytest.raises(ValidationFailed):
        services.create_booking(coach.user, coach.id, session_type.id, slot.starts_at)
    with pytest.raises(Conflict) as err:
        services.create_booking(UserFactory(), coach.id, session_type.id, slot.starts_at + timedelta(minutes=7))
    assert err.value.code == "slot_unavailable"
    coach.is_active = False
    db.session.commit()
    with pytest.raises(NotFound):
        services.create_booking(UserFactory(), coach.id, session_type.id, slot.starts_at)


def test_an_expired_hold_frees_its_slot():
    booking, coach = hold()
    booking.hold_expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    again = services.create_booking(UserFactory(), coach.id, booking.session_type_id, booking.starts_at)
    assert again.status == BookingStatus.HELD
    assert db.session.get(Booking, booking.id).status == BookingStatus.EXPIRED


def test_expire_holds_job():
    from workers.bookings import expire_holds

    booking, _ = hold()
    assert expire_holds() == 0
    booking.hold_expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert expire_holds() == 1
    assert db.session.get(Booking, booking.id).status == BookingStatus.EXPIRED
    assert "booking.expire" in audit_actions()


def test_confirm_paid_booking_mails_both_with_ics_and_schedules_reminder(app):
    from workers.bookings import confirm_paid_booking

    booking, coach = hold(after_hours=48)
    confirm_paid_booking(booking.id)
    db.session.expire_all()
    booking = db.session.get(Booking, booking.id)
    assert booking.status == BookingStatus.CONFIRMED and booking.confirmed_at is not None
    assert booking.hold_expires_at is None
    assert booking.reminder_job_id  # scheduled 24 h before (not run: InlineJobs skips future jobs)
    sent = mails()
    assert sorted(m.to_address for m in sent) == sorted([booking.client.email, coach.user.email])
    for m in sent:
        assert m.template == "booking_confirmed"
        ics = m.attachments[0]
        assert ics["filename"] == "session.ics" and ics["content_type"] == "text/calendar"
        import base64

        text = base64.b64decode(ics["data"]).decode()
        assert "BEGIN:VEVENT" in text and booking.starts_at.strftime("DTSTART:%Y%m%dT%H%M%SZ") in text
    assert "Career change" in sent[0].text_body
    # idempotent: a retry changes nothing
    confirm_paid_booking(booking.id)
    assert len(mails()) == 2
    assert audit_actions().count("booking.confirm") == 1


def test_confirm_within_a_day_schedules_no_reminder():
    booking, _ = hold(after_hours=3)
    services.confirm_booking(booking.id)
    assert db.session.get(Booking, booking.id).reminder_job_id is None


def test_late_payment_confirms_an_expired_hold_if_the_slot_is_free():
    booking, _ = hold()
    booking.hold_expires_at = utcnow() - timedelta(minutes=5)
    db.session.commit()
    services.expire_holds()
    services.confirm_booking(booking.id)
    assert db.session.get(Booking, booking.id).status == BookingStatus.CONFIRMED


def test_late_payment_for_a_lost_slot_leaves_it_expired_and_refunds_in_full():
    from app.payments.models import Refund
    from tests.factories.payments import PaidPaymentFactory

    booking, coach = hold()
    booking.hold_expires_at = utcnow() - timedelta(minutes=5)
    PaidPaymentFactory(booking=booking, idempotency_key=f"late-{booking.id}")
    services.create_booking(UserFactory(), coach.id, booking.session_type_id, booking.starts_at)
    services.confirm_booking(booking.id)
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).status == BookingStatus.EXPIRED
    assert "booking.confirm_failed" in audit_actions()
    assert db.session.scalar(sa.select(JobFailure)) is None
    assert db.session.scalar(sa.select(Refund.amount)) == 8000


def test_reminder_job_mails_unless_moved_or_cancelled():
    from workers.bookings import send_reminder

    booking = BookingFactory()
    send_reminder(booking.id, (booking.starts_at + timedelta(hours=1)).isoformat())
    assert mails() == []
    send_reminder(booking.id, booking.starts_at.isoformat())
    assert [m.template for m in mails()] == ["booking_reminder", "booking_reminder"]


def test_complete_past_bookings_and_review_once():
    booking = BookingFactory(
        starts_at=utcnow() - timedelta(hours=3),
        ends_at=utcnow() - timedelta(hours=2),
    )
    future = BookingFactory(session_type=booking.session_type)
    with pytest.raises(InvalidState):
        services.leave_review(booking, booking.client, 5)
    assert services.complete_past_bookings() == 1
    assert db.session.get(Booking, future.id).status == BookingStatus.CONFIRMED
    with pytest.raises(NotFound):
        services.leave_review(booking, UserFactory(), 5)
    with pytest.raises(ValidationFailed):
        services.leave_review(booking, booking.client, 6)
    services.leave_review(booking, booking.client, 4, "Very helpful")
    with pytest.raises(Conflict):
        services.leave_review(booking, booking.client, 5)
    second = BookingFactory(
        session_type=booking.session_type,
        starts_at=utcnow() - timedelta(days=3),
        ends_at=utcnow() - timedelta(days=3) + timedelta(hours=1),
        status=BookingStatus.COMPLETED,
    )
    services.leave_review(second, second.client, 5)
    coach = db.session.get(CoachProfile, booking.coach_id)
    assert coach.rating_count == 2 and float(coach.rating_avg) == 4.5
    assert audit_actions().count("review.create") == 2
