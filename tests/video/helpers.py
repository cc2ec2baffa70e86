"""A paid, confirmed booking at a chosen start, and a session logged in with a CSRF token."""

from __future__ import annotations

from datetime import datetime, timedelta

from app.booking.models import Booking
from app.extensions import db
from tests.clock import SUITE_NOW
from tests.factories.booking import BookingFactory
from tests.factories.payments import PaidPaymentFactory
from tests.security_clients import prepare_session

# Never the day the suite runs on: 09:00 UTC, 40 days after the suite started.
FAR_START = (SUITE_NOW + timedelta(days=40)).replace(hour=9, minute=0, second=0, microsecond=0)


def paid_booking(starts_at: datetime = FAR_START, minutes: int = 60, **fields) -> Booking:
    """A confirmed booking with its succeeded payment."""
    booking = BookingFactory(starts_at=starts_at, ends_at=starts_at + timedelta(minutes=minutes), **fields)
    PaidPaymentFactory(booking=booking, amount=booking.amount)
    return db.session.get(Booking, booking.id)


def signed_in(app, client, user) -> dict:
    """Log `user` into `client`; the headers an API POST from the page sends (CSRF)."""
    return {"X-CSRFToken": prepare_session(app, client, user), "Accept": "application/json"}
