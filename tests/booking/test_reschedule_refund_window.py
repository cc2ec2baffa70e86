"""Rescheduling cannot buy back a refund (issue 16, 8): the full-refund deadline a booking had
passed when the client moved it stays; a move made in time, or by the coach, counts from the new time."""

from __future__ import annotations

from datetime import timedelta

from app.booking import services
from app.booking.models import Booking
from app.extensions import db
from tests.booking.helpers import first_slot
from tests.booking.test_cancel_reschedule import confirmed_at, last_audit, refund_jobs
from tests.html import text_of


def _cancel_refund(booking) -> int:
    services.cancel_booking(db.session.get(Booking, booking.id), booking.client, "")
    return last_audit("booking.cancel").after["refund"]


def test_booked_13_hours_ahead_rescheduled_then_cancelled_refunds_as_cancelling_directly():
    direct = confirmed_at(13)
    assert _cancel_refund(direct) == 0

    moved = confirmed_at(13)
    target = first_slot(moved.coach, moved.session_type, after_hours=72)
    services.reschedule_booking(moved, moved.client, target.starts_at)
    db.session.expire_all()
    assert db.session.get(Booking, moved.id).starts_at == target.starts_at
    assert _cancel_refund(moved) == 0
    assert refund_jobs() == []


def test_moving_again_keeps_the_passed_deadline():
    booking = confirmed_at(13)
    deadline = booking.starts_at - timedelta(hours=24)
    for after_hours in (72, 120):
        target = first_slot(booking.coach, booking.session_type, after_hours=after_hours)
        services.reschedule_booking(db.session.get(Booking, booking.id), booking.client, target.starts_at)
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).full_refund_deadline() == deadline
    assert _cancel_refund(booking) == 0


def test_a_move_made_in_time_counts_from_the_new_start():
    booking = confirmed_at(48)
    target = first_slot(booking.coach, booking.session_type, after_hours=96)
    services.reschedule_booking(booking, booking.client, target.starts_at)
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).full_refund_deadline() == target.starts_at - timedelta(hours=24)
    assert _cancel_refund(booking) == 8000


def test_a_coach_move_gives_the_client_a_fresh_deadline():
    booking = confirmed_at(13)
    target = first_slot(booking.coach, booking.session_type, after_hours=72)
    services.reschedule_booking(booking, booking.coach.user, target.starts_at, "Conference overran")
    assert _cancel_refund(booking) == 8000


def test_the_reschedule_page_states_the_rule(client, login):
    inside = confirmed_at(13)
    login(inside.client)
    page = text_of(client.get(f"/bookings/{inside.id}/reschedule").get_data(as_text=True))
    assert "Rescheduling does not restart the 24 hours" in page
    assert "after the move it stays non-refundable" in page
    in_time = confirmed_at(48)
    login(in_time.client)
    page = text_of(client.get(f"/bookings/{in_time.id}/reschedule").get_data(as_text=True))
    assert "Rescheduling does not restart the 24 hours" in page
    assert "after the move it stays non-refundable" not in page
