"""No double booking under concurrency: 24 threads, each with its own connection, race for one slot."""

from __future__ import annotations

import threading

import sqlalchemy as sa

from app import create_app
from app.accounts.models import User
from app.booking import services
from app.booking.models import Booking, BookingStatus
from app.core.errors import Conflict
from app.extensions import db
from config import TestingConfig
from tests.booking.helpers import first_slot
from tests.conftest import TEST_DATABASE_URL
from tests.factories import UserFactory
from tests.factories.booking import bookable_coach

RACERS = 24


def race(user_ids, coach_id, session_type_id, starts_at):
    """Run create_booking for each user id at the same moment; returns the outcomes."""
    return race_attempts([(uid, session_type_id, starts_at) for uid in user_ids], coach_id)


def race_attempts(attempts, coach_id):
    """Run create_booking for each (user id, session type id, start) at the same moment."""
    racing_app = create_app(
        TestingConfig,
        SQLALCHEMY_DATABASE_URI=TEST_DATABASE_URL,
        SQLALCHEMY_ENGINE_OPTIONS={"pool_size": len(attempts) + 2, "max_overflow": 0},
        SERVER_NAME="localhost",
    )
    barrier = threading.Barrier(len(attempts), timeout=120)  # generous: a loaded CI machine
    outcomes: list = []
    lock = threading.Lock()

    def attempt(user_id, session_type_id, starts_at):
        with racing_app.app_context():
            try:
                user = db.session.get(User, user_id)
                db.session.execute(sa.text("SELECT 1"))  # hold a connection before the start line
                barrier.wait()
                booking = services.create_booking(user, coach_id, session_type_id, starts_at)
                result = ("ok", booking.id)
            except Conflict as exc:
                result = (exc.code, exc.message)
            except Exception as exc:  # noqa: BLE001 - reported as an outcome, so the test says what happened
                result = (type(exc).__name__, str(exc))
            finally:
                db.session.remove()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=attempt, args=a) for a in attempts]
    for t in threads:
        t.start()
    for t in threads:
        t.join(240)
    assert not any(t.is_alive() for t in threads), f"racers still running; outcomes so far {outcomes}"
    with racing_app.app_context():
        db.engine.dispose()
    return outcomes


def test_many_clients_racing_for_one_slot_get_exactly_one_booking():
    coach, session_type = bookable_coach()
    slot = first_slot(coach, session_type)
    users = [UserFactory().id for _ in range(RACERS)]
    outcomes = race(users, coach.id, session_type.id, slot.starts_at)
    assert len(outcomes) == RACERS
    winners = [o for o in outcomes if o[0] == "ok"]
    assert len(winners) == 1, outcomes
    assert all(code == "slot_taken" and "taken" in message for code, message in outcomes if code != "ok")
    db.session.expire_all()
    active = db.session.scalars(
        sa.select(Booking).where(Booking.coach_id == coach.id, Booking.status == BookingStatus.HELD)
    ).all()
    assert [b.id for b in active] == [winners[0][1]]


def test_a_double_click_books_once():
    coach, session_type = bookable_coach()
    slot = first_slot(coach, session_type)
    user = UserFactory().id
    outcomes = race([user, user], coach.id, session_type.id, slot.starts_at)
    assert sorted(o[0] for o in outcomes) == ["ok", "slot_taken"]
    assert db.session.scalar(sa.select(sa.func.count(Booking.id))) == 1
