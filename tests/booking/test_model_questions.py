"""The questions a booking answers about itself (issue 17): whose it is, who may move, cancel or
review it now. The services refuse exactly what the model says no to, and the booking's page offers
only what the model says yes to."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.booking import services
from app.booking.models import BookingStatus
from app.core.db import utcnow
from app.core.errors import InvalidState
from app.extensions import db
from app.payments import services as payments
from app.payments.models import Payment, PaymentStatus
from tests.booking.helpers import first_slot
from tests.booking.test_cancel_reschedule import confirmed_at
from tests.factories import UserFactory
from tests.factories.booking import BookingFactory
from tests.html import text_of


def test_the_sides_of_a_booking_and_nobody_else(app):
    booking = confirmed_at(48)
    assert booking.party_of(booking.client) == "client" and booking.party_of(booking.coach.user) == "coach"
    assert booking.party_of(UserFactory()) is None and booking.party_of(None) is None


@pytest.mark.parametrize(
    "hours_ahead, client_may, coach_may",
    [(48, True, True), (12.5, True, True), (11.9, False, True), (-0.5, False, False)],
)
def test_who_may_move_or_cancel_by_the_clock_and_the_services_agree(app, hours_ahead, client_may, coach_may):
    booking = confirmed_at(hours_ahead)  # the coach's client notice: 12 hours
    now = utcnow()
    for user, may in ((booking.client, client_may), (booking.coach.user, coach_may)):
        assert booking.can_be_rescheduled_by(user, now) is may
        assert booking.can_be_cancelled_by(user, now) is may
        assert (booking.change_refusal(user, now) is None) is may
    assert not booking.can_be_cancelled_by(UserFactory(), now)
    if not client_may:
        with pytest.raises(InvalidState) as refused:
            services.cancel_booking(booking, booking.client)
        assert refused.value.message == booking.change_refusal(booking.client, utcnow()).message
    else:
        services.cancel_booking(booking, booking.client)
        assert db.session.get(type(booking), booking.id).status == BookingStatus.CANCELLED


@pytest.mark.parametrize("status", [BookingStatus.CANCELLED, BookingStatus.EXPIRED, BookingStatus.COMPLETED])
def test_a_booking_that_is_over_changes_for_nobody(app, status):
    booking = BookingFactory(status=status)
    now = utcnow()
    assert booking.starts_at > now  # ahead in time, but not held or confirmed
    for user in (booking.client, booking.coach.user):
        assert not booking.can_be_rescheduled_by(user, now) and not booking.can_be_cancelled_by(user, now)
        assert booking.change_refusal(user, now).message == f"This booking is {status.value} and can no longer change."


def test_only_the_client_reviews_and_only_once_it_took_place(app):
    starts = utcnow() - timedelta(days=2)
    done = BookingFactory(starts_at=starts, ends_at=starts + timedelta(hours=1), status=BookingStatus.COMPLETED)
    assert done.can_be_reviewed_by(done.client)
    assert not done.can_be_reviewed_by(done.coach.user) and not done.can_be_reviewed_by(UserFactory())
    upcoming = confirmed_at(48)
    assert not upcoming.can_be_reviewed_by(upcoming.client)
    with pytest.raises(InvalidState, match="once it has taken place"):
        services.leave_review(upcoming, upcoming.client, 5)


def test_kept_bookings_are_the_confirmed_and_the_completed(app):
    assert {s for s in BookingStatus if BookingFactory(status=s).is_kept} == {
        BookingStatus.CONFIRMED,
        BookingStatus.COMPLETED,
    }


def test_inside_the_notice_the_client_is_told_so_instead_of_offered_buttons(client, login_as):
    booking = confirmed_at(11)
    login_as(booking.client)
    page = text_of(client.get(f"/bookings/{booking.id}").get_data(as_text=True))
    assert "Changes need 12 hours' notice; please contact your coach." in page
    html = client.get(f"/bookings/{booking.id}").get_data(as_text=True)
    assert (
        f'href="/bookings/{booking.id}/reschedule"' not in html and f'href="/bookings/{booking.id}/cancel"' not in html
    )
    for path, said in (("reschedule", "This session can no longer be moved."),
                       ("cancel", "This booking can no longer be cancelled.")):  # fmt: skip
        resp = client.get(f"/bookings/{booking.id}/{path}")
        assert resp.status_code == 302 and resp.headers["Location"] == f"/bookings/{booking.id}"
        assert said in text_of(client.get(resp.headers["Location"]).get_data(as_text=True))
    # The coach still may, with a reason.
    login_as(booking.coach.user)
    html = client.get(f"/bookings/{booking.id}").get_data(as_text=True)
    assert f'href="/bookings/{booking.id}/reschedule"' in html and f'href="/bookings/{booking.id}/cancel"' in html
    assert client.get(f"/bookings/{booking.id}/reschedule").status_code == 200
    target = first_slot(booking.coach, booking.session_type, after_hours=30)
    services.reschedule_booking(booking, booking.coach.user, target.starts_at, "Conference overran")


def test_only_the_client_pays_and_only_a_held_booking_whose_hold_runs(app):
    now = utcnow()
    held = BookingFactory(status=BookingStatus.HELD, hold_expires_at=now + timedelta(minutes=10))
    assert held.can_be_paid_by(held.client, now) and held.payment_refusal(now) is None
    assert not held.can_be_paid_by(held.coach.user, now) and not held.can_be_paid_by(UserFactory(), now)
    later = now + timedelta(minutes=11)
    assert held.is_hold_expired(later) and not held.can_be_paid_by(held.client, later)
    assert held.payment_refusal(later).message == "The hold on this slot has expired; please book the session again."
    confirmed = confirmed_at(48)
    assert not confirmed.is_hold_expired(now) and not confirmed.can_be_paid_by(confirmed.client, now)
    with pytest.raises(InvalidState, match="This booking is confirmed, not awaiting payment."):
        payments.create_intent(confirmed.client, confirmed.id)


def test_the_pages_offer_payment_only_while_the_hold_runs(client, login_as):
    now = utcnow()
    held = BookingFactory(status=BookingStatus.HELD, hold_expires_at=now + timedelta(minutes=10))
    pay = f'href="/bookings/{held.id}/pay"'
    login_as(held.client)
    assert pay in client.get(f"/bookings/{held.id}").get_data(as_text=True)
    login_as(held.coach.user)
    assert pay not in client.get(f"/bookings/{held.id}").get_data(as_text=True)
    ran_out = BookingFactory(status=BookingStatus.HELD, hold_expires_at=now - timedelta(minutes=1))
    login_as(ran_out.client)
    page = text_of(client.get(f"/bookings/{ran_out.id}").get_data(as_text=True))
    assert "ran out at" in page and "before it was paid" in page and "Pay now" not in page
    # A failed attempt on it says why instead of offering another card.
    failed = Payment(booking_id=ran_out.id, client_id=ran_out.client_id, coach_id=ran_out.coach_id, amount=ran_out.amount,
                     currency="EUR", status=PaymentStatus.FAILED, gateway="offline", provider_intent_id="pi_failed_x",
                     idempotency_key="booking-failed-x")  # fmt: skip
    db.session.add(failed)
    db.session.commit()
    page = text_of(client.get(f"/payments/{failed.id}").get_data(as_text=True))
    assert "Try another card" not in page and "The hold on this slot has expired" in page
