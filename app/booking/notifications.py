"""Booking mails (with an .ics invitation) and the 24-hour reminder job that follows a booking."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from app.booking.calendar_file import booking_calendar
from app.booking.models import Booking, BookingStatus
from app.core.db import utcnow
from app.core.effects import commit, on_commit
from app.core.jobs import jobs
from app.core.mail import public_host, queue_mail
from app.extensions import db

log = logging.getLogger(__name__)

REMINDER_BEFORE = timedelta(hours=24)


def ics_for(booking: Booking, *, cancelled: bool = False) -> bytes:
    """An iCalendar (RFC 5545) event for the booking; the same UID across reschedules."""
    domain = public_host()
    summary = f"{booking.session_type.name} with {booking.coach.user.full_name}"
    return booking_calendar(booking, domain, summary, cancelled=cancelled)


def _attachment(booking: Booking, cancelled: bool = False) -> list[dict]:
    return [{"filename": "session.ics", "content_type": "text/calendar", "data": ics_for(booking, cancelled=cancelled)}]


def mail_both(booking: Booking, template: str, subject: str, *, ics: bool = True, cancelled: bool = False, **extra):
    """Queue the same kind of mail to the client and the coach (each sees times in their zone)."""
    people = [(booking.client, "client"), (booking.coach.user, "coach")]
    for person, role in people:
        if not person.wants_mail(template):  # an optional mail (the reminder) they turned off
            continue
        queue_mail(
            person.email,
            template,
            subject,
            {"booking": booking, "recipient": person, "role": role, "zone": person.timezone, **extra},
            attachments=_attachment(booking, cancelled) if ics else None,
        )


def schedule_reminder(booking: Booking) -> None:
    """After the commit: enqueue the reminder 24 h before the start and remember its job id."""
    booking_id = booking.id

    def enqueue() -> None:
        fresh = db.session.get(Booking, booking_id)
        if fresh is None or fresh.status != BookingStatus.CONFIRMED:
            return
        at = fresh.starts_at - REMINDER_BEFORE
        if at <= utcnow():
            return  # less than a day ahead: the confirmation mail is the reminder
        fresh.reminder_job_id = jobs().enqueue(
            "workers.bookings.send_reminder", fresh.id, fresh.starts_at.isoformat(), queue="mail", at=at
        )
        db.session.commit()

    on_commit(enqueue)


def unschedule_reminder(booking: Booking) -> None:
    """Forget the booking's reminder now and cancel its job after the commit."""
    job_id = booking.reminder_job_id
    booking.reminder_job_id = None
    if job_id:
        on_commit(lambda: jobs().cancel(job_id))


def send_reminder(booking_id: int, starts_at_iso: str) -> None:
    """Mail the reminder unless the booking was cancelled or moved since it was scheduled."""
    booking = db.session.get(Booking, booking_id)
    if booking is None or booking.status != BookingStatus.CONFIRMED:
        return
    if booking.starts_at != datetime.fromisoformat(starts_at_iso):
        log.info("reminder for booking %s skipped: it was moved", booking_id)
        return
    mail_both(booking, "booking_reminder", "Reminder: your coaching session is tomorrow", ics=False)
    commit()
