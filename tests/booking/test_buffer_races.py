"""The buffer between sessions holds under concurrency (issue 16, 9): the database's exclusion
constraint covers each booking's buffer, so two clients racing for back-to-back slots of two session
types (each free alone) get one booking, never two with no gap."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.booking import services
from app.booking.availability import free_slots
from app.booking.models import Booking, BookingStatus
from app.core.db import utcnow
from app.core.errors import Conflict
from app.extensions import db
from tests.booking.test_concurrency import race_attempts
from tests.factories import UserFactory
from tests.factories.booking import SessionTypeFactory, bookable_coach

BUFFER = 15
ROUNDS = 5


def back_to_back():
    """A coach with a 15-minute buffer, a 60- and a 30-minute session type, and a free slot of each
    where the short one starts exactly when the long one ends."""
    coach, hour = bookable_coach(buffer_minutes=BUFFER)
    half = SessionTypeFactory(coach=coach, duration_minutes=30, price_amount=4000)
    start = utcnow() + timedelta(days=1)
    window = (start, start + timedelta(days=1))
    halves = {s.starts_at: s for s in free_slots(coach, half, *window)}
    for slot in free_slots(coach, hour, *window):
        if slot.ends_at in halves:
            return coach, (hour, slot.starts_at), (half, slot.ends_at)
    raise AssertionError("no back-to-back pair of free slots")


def active_bookings(coach_id):
    db.session.expire_all()
    return db.session.scalars(
        sa.select(Booking)
        .where(Booking.coach_id == coach_id, Booking.status.in_([BookingStatus.HELD, BookingStatus.CONFIRMED]))
        .order_by(Booking.starts_at)
    ).all()


def test_each_slot_alone_is_bookable_and_the_pair_is_not():
    coach, (hour, at_hour), (half, at_half) = back_to_back()
    services.create_booking(UserFactory(), coach.id, hour.id, at_hour)
    with pytest.raises(Conflict):
        services.create_booking(UserFactory(), coach.id, half.id, at_half)
    assert len(active_bookings(coach.id)) == 1


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_racing_for_back_to_back_slots_keeps_the_buffer(round_):
    coach, (hour, at_hour), (half, at_half) = back_to_back()
    attempts = [(UserFactory().id, hour.id, at_hour), (UserFactory().id, half.id, at_half)]
    outcomes = race_attempts(attempts, coach.id)
    assert sorted(o[0] == "ok" for o in outcomes) == [False, True], outcomes
    assert all(code in ("slot_taken", "slot_unavailable") for code, _ in outcomes if code != "ok"), outcomes
    booked = active_bookings(coach.id)
    assert len(booked) == 1
    assert booked[0].buffer_minutes == BUFFER


def test_database_refuses_a_booking_inside_the_buffer_without_the_python_check():
    coach, (hour, at_hour), (half, _) = back_to_back()
    first = services.create_booking(UserFactory(), coach.id, hour.id, at_hour)

    def insert_after(gap_minutes):
        starts = first.ends_at + timedelta(minutes=gap_minutes)
        db.session.add(
            Booking(
                client_id=UserFactory().id,
                coach_id=coach.id,
                session_type_id=half.id,
                starts_at=starts,
                ends_at=starts + timedelta(minutes=30),
                status=BookingStatus.HELD,
                amount=1,
                currency="EUR",
            )
        )
        db.session.flush()

    with pytest.raises(sa.exc.IntegrityError, match="bookings_no_overlap"):
        insert_after(BUFFER - 1)
    db.session.rollback()
    insert_after(BUFFER)  # exactly the buffer: allowed
    db.session.rollback()
