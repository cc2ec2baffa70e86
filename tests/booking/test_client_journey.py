"""The client's booking journey without dead ends: cancel asks first and names the refund, a session
that cannot move says so before showing slots, a payment leads back to its booking, coach and
calendar file, lists are in date order and a cancelled booking is not "upcoming"."""

from __future__ import annotations

from datetime import timedelta

from app.booking.models import BookingStatus
from app.core.db import utcnow
from app.extensions import db
from tests.booking.test_cancel_reschedule import confirmed_at, refund_jobs
from tests.conftest import csrf_token_from
from tests.factories.booking import BookingFactory
from tests.factories.payments import PaidPaymentFactory
from tests.html import text_of


def test_cancelling_asks_first_and_names_the_full_refund(client, login_as):
    booking = confirmed_at(72)  # EUR 80.00, paid, three days ahead: the policy refunds it all
    login_as(booking.client)
    detail = client.get(f"/bookings/{booking.id}").get_data(as_text=True)
    assert f'href="/bookings/{booking.id}/cancel"' in detail
    assert f'action="/bookings/{booking.id}/cancel"' not in detail  # no one-click cancel

    page = client.get(f"/bookings/{booking.id}/cancel")
    assert page.status_code == 200
    assert "Refund EUR 80.00 to your card" in text_of(page.get_data(as_text=True))
    db.session.refresh(booking)
    assert booking.status == BookingStatus.CONFIRMED  # asking changed nothing

    token = csrf_token_from(client, f"/bookings/{booking.id}/cancel")
    resp = client.post(f"/bookings/{booking.id}/cancel", data={"csrf_token": token}, follow_redirects=True)
    assert "The booking is cancelled. EUR 80.00 will be refunded to the card it was paid with." in text_of(
        resp.get_data(as_text=True)
    )
    db.session.refresh(booking)
    assert booking.status == BookingStatus.CANCELLED
    assert refund_jobs() == [[booking.id, 8000]]


def test_a_late_cancellation_says_before_and_after_that_nothing_is_refunded(client, login_as):
    booking = confirmed_at(13)  # inside 24 h (no refund), outside the coach's 12 h notice (allowed)
    login_as(booking.client)
    assert "Refund EUR 0.00" in text_of(client.get(f"/bookings/{booking.id}/cancel").get_data(as_text=True))
    token = csrf_token_from(client, f"/bookings/{booking.id}/cancel")
    resp = client.post(f"/bookings/{booking.id}/cancel", data={"csrf_token": token}, follow_redirects=True)
    assert "The booking is cancelled. Nothing is refunded." in text_of(resp.get_data(as_text=True))
    assert refund_jobs() == []


def test_a_completed_session_is_refused_before_any_slot_is_shown(client, login_as):
    starts = utcnow() - timedelta(days=2)
    booking = BookingFactory(starts_at=starts, ends_at=starts + timedelta(hours=1), status=BookingStatus.COMPLETED)
    login_as(booking.client)
    for path in (f"/bookings/{booking.id}/reschedule", f"/bookings/{booking.id}/cancel"):
        resp = client.get(path)
        assert resp.status_code == 302
        assert resp.headers["Location"] == f"/bookings/{booking.id}"
    shown = text_of(client.get(f"/bookings/{booking.id}").get_data(as_text=True))
    assert "This session can no longer be moved." in shown
    assert "This booking can no longer be cancelled." in shown


def test_a_payment_leads_to_its_booking_its_coach_and_a_calendar_file(client, login_as):
    payment = PaidPaymentFactory()
    booking = payment.booking
    login_as(booking.client)
    html = client.get(f"/payments/{payment.id}").get_data(as_text=True)
    assert f'href="/bookings/{booking.id}"' in html
    assert f'href="/coaches/{booking.coach_id}"' in html
    assert f'href="/bookings/{booking.id}/calendar.ics"' in html

    ics = client.get(f"/bookings/{booking.id}/calendar.ics")
    assert ics.status_code == 200
    assert ics.mimetype == "text/calendar"
    assert ics.headers["Content-Disposition"] == f'attachment; filename="session-{booking.id}.ics"'
    assert f"DTSTART:{booking.starts_at:%Y%m%dT%H%M%SZ}" in ics.get_data(as_text=True)


def test_payments_are_listed_newest_payment_first(client, login_as):
    older = PaidPaymentFactory(created_at=utcnow() - timedelta(days=10))
    newer = PaidPaymentFactory(booking__client=older.booking.client, created_at=utcnow() - timedelta(days=1))
    oldest_but_last_made = PaidPaymentFactory(
        booking__client=older.booking.client, created_at=utcnow() - timedelta(days=30)
    )
    assert oldest_but_last_made.id > newer.id > older.id
    login_as(older.booking.client)
    html = client.get("/payments").get_data(as_text=True)
    positions = [html.index(f'href="/payments/{p.id}"') for p in (newer, older, oldest_but_last_made)]
    assert positions == sorted(positions)


def test_a_cancelled_future_booking_is_listed_under_past_and_cancelled(client, login_as):
    ahead = utcnow() + timedelta(days=4)
    live = BookingFactory(starts_at=ahead, ends_at=ahead + timedelta(hours=1))
    cancelled = BookingFactory(
        client=live.client, starts_at=ahead, ends_at=ahead + timedelta(hours=1), status=BookingStatus.CANCELLED
    )
    login_as(live.client)
    html = client.get("/bookings").get_data(as_text=True)
    past_starts = html.index('id="past"')
    assert html.index(f'href="/bookings/{live.id}"') < past_starts
    assert html.index(f'href="/bookings/{cancelled.id}"') > past_starts


def test_the_client_sees_their_own_review_on_the_booking(client, login_as):
    from tests.factories.analytics import ReviewFactory

    starts = utcnow() - timedelta(days=3)
    booking = BookingFactory(starts_at=starts, ends_at=starts + timedelta(hours=1), status=BookingStatus.COMPLETED)
    ReviewFactory(
        booking_id=booking.id, coach_id=booking.coach_id, client_id=booking.client_id, rating=4, body="Clear and kind."
    )
    login_as(booking.client)
    shown = text_of(client.get(f"/bookings/{booking.id}").get_data(as_text=True))
    assert "Your review" in shown
    assert "Clear and kind." in shown
    assert "Rate this session" not in shown
