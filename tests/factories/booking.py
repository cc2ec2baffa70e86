"""Booking factories: session types, weekly hours, bookings; `bookable_coach()` builds a ready coach."""

from __future__ import annotations

from datetime import time, timedelta

import factory

from app.booking.models import AvailabilityRule, Booking, BookingStatus, SessionType
from app.core.db import utcnow
from tests.factories.accounts import BaseFactory, UserFactory
from tests.factories.coaches import CoachFactory


class SessionTypeFactory(BaseFactory):
    """A 60-minute session at EUR 80."""

    class Meta:
        model = SessionType

    coach = factory.SubFactory(CoachFactory)
    coach_id = factory.LazyAttribute(lambda o: o.coach.id)
    name = "Coaching session"
    duration_minutes = 60
    price_amount = 8000
    currency = "EUR"
    is_active = True

    class Params:
        pass

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        kwargs.pop("coach", None)
        return super()._create(model_class, *args, **kwargs)


class AvailabilityRuleFactory(BaseFactory):
    """Working hours on one weekday."""

    class Meta:
        model = AvailabilityRule

    coach_id = None
    weekday = 0
    start_time = time(9)
    end_time = time(17)


class BookingFactory(BaseFactory):
    """A confirmed booking two days ahead by default."""

    class Meta:
        model = Booking

    client = factory.SubFactory(UserFactory)
    client_id = factory.LazyAttribute(lambda o: o.client.id)
    session_type = factory.SubFactory(SessionTypeFactory)
    session_type_id = factory.LazyAttribute(lambda o: o.session_type.id)
    coach_id = factory.LazyAttribute(lambda o: o.session_type.coach_id)
    starts_at = factory.LazyFunction(lambda: utcnow().replace(minute=0, second=0, microsecond=0) + timedelta(days=2))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(minutes=60))
    status = BookingStatus.CONFIRMED
    amount = factory.LazyAttribute(lambda o: o.session_type.price_amount)
    currency = "EUR"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        kwargs.pop("client", None)
        kwargs.pop("session_type", None)
        return super()._create(model_class, *args, **kwargs)


def bookable_coach(*, days=range(7), start=time(0), end=time(23, 59), **coach_fields):
    """An active coach working every day (nearly all day by default) with one 60-minute session type."""
    coach = CoachFactory(**coach_fields)
    for weekday in days:
        AvailabilityRuleFactory(coach_id=coach.id, weekday=weekday, start_time=start, end_time=end)
    session_type = SessionTypeFactory(coach=coach)
    return coach, session_type
