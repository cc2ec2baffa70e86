"""Join the session from the session lists, the dashboard and the 24-hour reminder mail, only while
the room is open (the clock moved to the window's edges)."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
import time_machine

from app.core.models import OutgoingMail
from app.extensions import db
from tests.video.helpers import FAR_START, paid_booking, signed_in

OPENS = FAR_START - timedelta(minutes=10)
JOIN = 'href="/bookings/{id}/session">Join the session</a>'


def _page(app, client, user, path: str, at) -> str:
    with time_machine.travel(at, tick=False):
        signed_in(app, client, user)
        return client.get(path).get_data(as_text=True)


def test_my_bookings_and_my_sessions_show_join_only_while_the_room_is_open(app, client):
    booking = paid_booking()
    other = paid_booking(starts_at=FAR_START + timedelta(hours=3), client=booking.client)
    join = JOIN.format(id=booking.id)
    assert join not in _page(app, client, booking.client, "/bookings", OPENS - timedelta(seconds=1))
    html = _page(app, client, booking.client, "/bookings", OPENS)
    assert join in html and JOIN.format(id=other.id) not in html
    assert join in _page(app, client, booking.coach.user, "/coach/sessions", FAR_START + timedelta(minutes=74))
    assert join not in _page(app, client, booking.coach.user, "/coach/sessions", FAR_START + timedelta(minutes=75))


def test_the_dashboard_offers_the_open_session_to_both_and_to_nobody_else(app, client):
    booking = paid_booking()
    join = JOIN.format(id=booking.id)
    for user in (booking.client, booking.coach.user):
        html = _page(app, client, user, "/dashboard", OPENS)
        assert join in html and "the room is open until" in html
    assert join not in _page(app, client, booking.client, "/dashboard", OPENS - timedelta(minutes=1))


def test_the_reminder_mail_carries_the_session_link(app):
    from workers.bookings import send_reminder

    booking = paid_booking()
    send_reminder(booking.id, booking.starts_at.isoformat())
    mails = list(db.session.scalars(sa.select(OutgoingMail).where(OutgoingMail.template == "booking_reminder")))
    assert len(mails) == 2
    for mail in mails:
        assert (
            f"/bookings/{booking.id}/session" in mail.text_body and "Join the video session here from" in mail.text_body
        )
        assert f'/bookings/{booking.id}/session">Join the video session</a>' in mail.html_body
