"""A coach's out-of-range hours, settings, exceptions and session types are refused with the field
named, and what the coach had saved stays as it was."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
import sqlalchemy as sa

from app.booking import coach_services as services
from app.booking.models import AvailabilityException, AvailabilityRule, ExceptionKind, SessionType
from app.core.db import utcnow
from app.core.errors import NotFound, ValidationFailed
from app.extensions import db
from tests.factories.booking import AvailabilityRuleFactory, SessionTypeFactory
from tests.factories.coaches import CoachFactory


@pytest.fixture
def coach():
    coach = CoachFactory(buffer_minutes=15, min_notice_hours=2, horizon_days=60)
    AvailabilityRuleFactory(coach_id=coach.id, weekday=0, start_time=time(9), end_time=time(12))
    return coach


def _hours(coach_id: int) -> list[tuple]:
    db.session.expire_all()
    rules = sa.select(AvailabilityRule.weekday, AvailabilityRule.start_time, AvailabilityRule.end_time)
    return db.session.execute(rules.where(AvailabilityRule.coach_id == coach_id)).all()


@pytest.mark.parametrize(
    ("windows", "message"),
    [
        ([(7, time(9), time(10))], "Weekday must be 0 (Monday) to 6."),
        ([(1, time(10), time(9))], "Each window must end after it starts."),
        ([(2, time(9), time(9))], "Each window must end after it starts."),
    ],
)
def test_bad_weekly_hours_keep_the_saved_ones(app, coach, windows, message):
    with pytest.raises(ValidationFailed) as refused:
        services.set_weekly_hours(coach, coach.user, windows)
    assert refused.value.message == message
    assert _hours(coach.id) == [(0, time(9), time(12))]


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"buffer_minutes": 241}, {"buffer_minutes": "0 to 240"}),
        ({"min_notice_hours": -1}, {"min_notice_hours": "0 to 336"}),
        ({"horizon_days": 0}, {"horizon_days": "at least 1"}),
        ({"cancel_notice_hours": 337}, {"client_cancel_notice_hours": "0 to 336"}),
    ],
)
def test_settings_out_of_range_name_the_field_and_keep_the_saved_values(app, coach, changes, fields):
    values = {"buffer_minutes": 15, "min_notice_hours": 2, "horizon_days": 60, "cancel_notice_hours": 24, **changes}
    with pytest.raises(ValidationFailed) as refused:
        services.update_booking_settings(coach, coach.user, **values)
    assert refused.value.fields == fields
    db.session.expire_all()
    assert (coach.buffer_minutes, coach.min_notice_hours, coach.horizon_days) == (15, 2, 60)


@pytest.mark.parametrize(
    ("kind", "start", "end", "field"),
    [
        (ExceptionKind.EXTRA_HOURS, None, None, "start_time"),
        (ExceptionKind.TIME_OFF, time(9), None, "end_time"),
        (ExceptionKind.EXTRA_HOURS, time(12), time(11), "end_time"),
    ],
)
def test_incomplete_exceptions_are_refused(app, coach, kind, start, end, field):
    on = (utcnow() + timedelta(days=3)).date()
    with pytest.raises(ValidationFailed) as refused:
        services.add_exception(coach, coach.user, on, kind, start, end)
    assert field in refused.value.fields
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AvailabilityException)) == 0


def test_a_coach_cannot_touch_another_coachs_exception_or_session_type(app, coach):
    other = CoachFactory()
    theirs = AvailabilityException(coach_id=other.id, on_date=date(2030, 1, 1), kind=ExceptionKind.TIME_OFF)
    db.session.add(theirs)
    db.session.commit()
    their_type = SessionTypeFactory(coach=other)
    with pytest.raises(NotFound):
        services.delete_exception(coach, coach.user, theirs.id)
    with pytest.raises(NotFound):
        services.set_session_type_active(coach, coach.user, their_type.id, False)
    db.session.expire_all()
    assert db.session.get(AvailabilityException, theirs.id) is not None
    assert db.session.get(SessionType, their_type.id).is_active is True


@pytest.mark.parametrize(("name", "minutes", "price"), [("  ", 60, 9000), ("Intro", 10, 9000), ("Intro", 60, 0)])
def test_session_types_need_a_name_a_length_and_a_price(app, coach, name, minutes, price):
    with pytest.raises(ValidationFailed) as refused:
        services.add_session_type(coach, coach.user, name, minutes, price)
    assert refused.value.message == "Give a name, 15–480 minutes and a positive price."
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SessionType)) == 0
