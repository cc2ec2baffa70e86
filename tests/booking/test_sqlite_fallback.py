"""The embedded setup (SQLite, `make run`): the migration applies, search falls back to LIKE and the
unique partial index stops a second hold on the same start."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
import sqlalchemy as sa

from app import create_app
from app.accounts.models import User
from app.booking import services
from app.booking.availability import free_slots
from app.booking.models import AvailabilityRule, Booking, BookingStatus, SessionType
from app.coaches.models import CertificationLevel, CoachProfile
from app.coaches.search import SearchParams, refresh_search_fields, search_coaches
from app.core.db import utcnow
from app.core.errors import Conflict
from app.extensions import db
from config import TestingConfig


@pytest.fixture
def sqlite_app(tmp_path):
    from flask_migrate import upgrade

    sqlite = create_app(
        TestingConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'cc.db'}", SERVER_NAME="localhost"
    )
    with sqlite.app_context():
        upgrade()
        yield sqlite
        db.session.remove()
        db.engine.dispose()


def test_search_and_booking_on_sqlite(sqlite_app):
    with sqlite_app.test_request_context():
        for i, last in enumerate(["Career", "Other"]):
            user = User(email=f"c{i}@example.org", first_name=f"Sam{i}", last_name=last, timezone="UTC")
            db.session.add(user)
            db.session.flush()
            coach = CoachProfile(
                user_id=user.id,
                certification_level=CertificationLevel.MASTER,
                ipec_number=f"S{i}",
                hourly_rate_amount=5000,
                currency="EUR",
                is_active=True,
                min_notice_hours=0,
            )
            db.session.add(coach)
            db.session.flush()
            db.session.add(
                SessionType(coach_id=coach.id, name="S", duration_minutes=60, price_amount=3000 - i, currency="EUR")
            )
            db.session.add_all(
                AvailabilityRule(coach_id=coach.id, weekday=d, start_time=time(0), end_time=time(0)) for d in range(7)
            )
            db.session.commit()
            refresh_search_fields(coach.id)
        assert [c.user.last_name for c in search_coaches(SearchParams.from_args({"q": "career"})).coaches] == ["Career"]
        for sort in ("rating", "price", "soonest"):
            first = search_coaches(SearchParams.from_args({"sort": sort, "limit": "1"}))
            second = search_coaches(SearchParams.from_args({"sort": sort, "limit": "1", "after": first.next_cursor}))
            assert {first.coaches[0].id, second.coaches[0].id} == {1, 2}

        client = User(email="client@example.org", first_name="C", last_name="L", timezone="UTC")
        db.session.add(client)
        db.session.commit()
        coach, session_type = db.session.get(CoachProfile, 1), db.session.get(SessionType, 1)
        slot = free_slots(coach, session_type, utcnow(), utcnow() + timedelta(days=2))[0]
        services.create_booking(client, coach.id, session_type.id, slot.starts_at)
        with pytest.raises(Conflict):
            services.create_booking(client, coach.id, session_type.id, slot.starts_at)
        clash = Booking(
            client_id=client.id,
            coach_id=coach.id,
            session_type_id=session_type.id,
            starts_at=slot.starts_at,
            ends_at=slot.ends_at,
            status=BookingStatus.CONFIRMED,
            amount=1,
            currency="EUR",
        )
        db.session.add(clash)
        with pytest.raises(sa.exc.IntegrityError):
            db.session.flush()
        db.session.rollback()
