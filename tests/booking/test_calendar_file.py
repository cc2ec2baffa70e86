"""The .ics a client and a coach receive: invitation, reschedule and cancellation read by a calendar."""

from __future__ import annotations

import base64
from datetime import timedelta

from icalendar import Calendar

from app.booking import services
from app.booking.models import Booking
from app.core.db import utcnow
from app.extensions import db
from tests.booking.helpers import first_slot, mails
from tests.factories.booking import BookingFactory, bookable_coach


def _events(template: str):
    """(method, event, raw text) of each mail of this kind's .ics attachment."""
    found = []
    for mail in mails():
        if mail.template == template:
            raw = base64.b64decode(mail.attachments[0]["data"])
            calendar = Calendar.from_ical(raw)
            found.append((str(calendar["METHOD"]), calendar.walk("VEVENT")[0], raw.decode()))
    return found


def _booking(notes: str = "") -> Booking:
    coach, session_type = bookable_coach()
    starts = utcnow().replace(minute=0, second=0, microsecond=0) + timedelta(hours=60)
    return BookingFactory(session_type=session_type, starts_at=starts, ends_at=starts + timedelta(hours=1), notes=notes)


def test_the_invitation_names_organizer_and_attendee_and_folds_long_lines(client, login_as):
    booking = _booking(notes="I would like to talk about changing careers into data science. " * 3)
    login_as(booking.client)
    raw = client.get(f"/bookings/{booking.id}/calendar.ics").get_data()
    calendar = Calendar.from_ical(raw)
    event = calendar.walk("VEVENT")[0]
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(event["ORGANIZER"]) == f"mailto:{booking.coach.user.email}"
    assert event["ORGANIZER"].params["CN"] == booking.coach.user.full_name
    assert str(event["ATTENDEE"]) == f"mailto:{booking.client.email}"
    assert event["SEQUENCE"] == 0
    assert str(event["DESCRIPTION"]).startswith("I would like to talk about changing careers")
    lines = raw.split(b"\r\n")
    assert max(len(line) for line in lines) <= 75
    assert any(line.startswith(b" ") for line in lines)  # the description was folded


def test_a_reschedule_keeps_the_uid_and_raises_the_sequence_and_a_cancel_sends_method_cancel():
    booking = _booking()
    uid_before = str(Calendar.from_ical(_ics(booking)).walk("VEVENT")[0]["UID"])
    target = first_slot(booking.coach, booking.session_type, after_hours=84)
    services.reschedule_booking(booking, booking.client, target.starts_at)
    moved = _events("booking_rescheduled")
    assert len(moved) == 2
    for method, event, _ in moved:
        assert (method, str(event["UID"]), event["SEQUENCE"]) == ("REQUEST", uid_before, 1)
        assert event.decoded("DTSTART") == target.starts_at
    db.session.expire_all()
    booking = db.session.get(Booking, booking.id)
    services.cancel_booking(booking, booking.client)
    cancelled = _events("booking_cancelled")
    assert len(cancelled) == 2
    for method, event, raw in cancelled:
        assert (method, str(event["UID"]), event["SEQUENCE"], str(event["STATUS"])) == (
            "CANCEL",
            uid_before,
            2,
            "CANCELLED",
        )
        assert "METHOD:CANCEL\r\n" in raw


def _ics(booking: Booking) -> bytes:
    from app.booking.notifications import ics_for

    return ics_for(booking)
