"""The booking's iCalendar (RFC 5545) file, built with `icalendar`: invitations and cancellations."""

from __future__ import annotations

from icalendar import Calendar, Event, vCalAddress, vText

from app.booking.models import Booking
from app.core.db import utcnow


def _address(user, **params: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{user.email}")
    address.params["CN"] = vText(user.full_name or user.email)
    address.params.update(params)
    return address


def booking_calendar(booking: Booking, domain: str, summary: str, *, cancelled: bool = False) -> bytes:
    """METHOD:REQUEST (or CANCEL) with the coach as ORGANIZER and the client as ATTENDEE.

    The UID stays the same across reschedules and SEQUENCE counts the changes, so a calendar updates
    (or removes) the event it already holds; icalendar folds long lines at 75 octets.
    """
    calendar = Calendar()
    calendar.add("prodid", "-//Coach Connect//Booking//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "REQUEST")
    event = Event()
    event.add("uid", f"booking-{booking.id}@{domain}")
    event.add("dtstamp", utcnow())
    event.add("dtstart", booking.starts_at)
    event.add("dtend", booking.ends_at)
    event.add("summary", summary)
    event.add("description", booking.notes or "")
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("sequence", booking.ics_sequence or 0)
    event.add("organizer", _address(booking.coach.user))
    # The client chose the slot, so they have accepted it already.
    event.add("attendee", _address(booking.client, ROLE="REQ-PARTICIPANT", PARTSTAT="ACCEPTED"))
    calendar.add_component(event)
    return calendar.to_ical()
