"""The join window at its edges, and who may join at all (one question: app.video.access.can_join)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.booking.models import BookingStatus
from app.extensions import db
from app.payments.models import Payment
from app.video.access import can_join
from tests.factories import UserFactory
from tests.factories.accounts import StaffFactory
from tests.factories.booking import BookingFactory
from tests.video.helpers import FAR_START, paid_booking

TICK = timedelta(microseconds=1)
OPENS = FAR_START - timedelta(minutes=10)
CLOSES = FAR_START + timedelta(minutes=60 + 15)


@pytest.mark.parametrize(
    ("now", "allowed", "reason"),
    [
        (OPENS - TICK, False, "The session opens 10 minutes before the start."),
        (OPENS, True, ""),
        (FAR_START + timedelta(minutes=30), True, ""),
        (CLOSES - TICK, True, ""),
        (CLOSES, False, "The session closed 15 minutes after the end."),
    ],
)
def test_the_window_runs_from_ten_minutes_before_to_fifteen_after(now, allowed, reason):
    booking = paid_booking()
    for user in (booking.client, booking.coach.user):
        check = can_join(booking, user, now)
        assert (check.allowed, check.reason) == (allowed, reason)
        assert (check.opens_at, check.closes_at) == (OPENS, CLOSES)
    assert can_join(booking, booking.client, OPENS - TICK).is_early


def test_the_window_follows_the_settings(app, monkeypatch):
    monkeypatch.setitem(app.config, "VIDEO_JOIN_BEFORE_MINUTES", 2)
    monkeypatch.setitem(app.config, "VIDEO_JOIN_AFTER_MINUTES", 0)
    booking = paid_booking()
    assert not can_join(booking, booking.client, FAR_START - timedelta(minutes=3)).allowed
    assert can_join(booking, booking.client, FAR_START - timedelta(minutes=2)).allowed
    assert not can_join(booking, booking.client, FAR_START + timedelta(minutes=60)).allowed


def test_only_the_two_participants_and_no_staff_may_join():
    booking = paid_booking()
    inside = FAR_START
    assert can_join(booking, UserFactory(), inside).reason == "Only the booked client and coach can join this session."
    assert can_join(booking, StaffFactory(), inside).reason == "Staff accounts cannot join or observe a session."
    assert not can_join(booking, None, inside).allowed


def test_a_staff_account_booked_as_client_still_cannot_join():
    staff = StaffFactory()
    booking = paid_booking(client=staff)
    assert can_join(booking, staff, FAR_START).reason == "Staff accounts cannot join or observe a session."


@pytest.mark.parametrize("status", [BookingStatus.HELD, BookingStatus.CANCELLED, BookingStatus.EXPIRED])
def test_only_a_confirmed_booking_has_a_session(status):
    booking = paid_booking()
    booking.status = status
    db.session.commit()
    check = can_join(booking, booking.client, FAR_START)
    assert check.reason == f"This booking is {status.value}; only a confirmed, paid booking has a session."


def test_a_completed_session_stays_open_until_the_window_closes():
    booking = paid_booking()
    booking.status = BookingStatus.COMPLETED
    db.session.commit()
    assert can_join(booking, booking.coach.user, CLOSES - TICK).allowed


def test_a_confirmed_booking_without_a_live_payment_is_refused():
    unpaid = BookingFactory(starts_at=FAR_START, ends_at=FAR_START + timedelta(minutes=60))
    assert can_join(unpaid, unpaid.client, FAR_START).reason.startswith("This booking is not paid")
    refunded = paid_booking()
    payment = db.session.scalars(sa.select(Payment).where(Payment.booking_id == refunded.id)).one()
    payment.amount_refunded = payment.amount
    db.session.commit()
    assert can_join(refunded, refunded.client, FAR_START).reason.startswith("This booking is not paid")
