"""Factories for the payments tests: a coach, a session type, a held booking and payments."""

from __future__ import annotations

from datetime import timedelta

import factory

from app.accounts.models import Role
from app.booking.models import Booking, BookingStatus, SessionType
from app.coaches.models import CertificationLevel, CoachProfile
from app.core.db import utcnow
from app.payments.models import Payment, PaymentStatus
from tests.factories.accounts import BaseFactory, UserFactory


class PaymentCoachFactory(BaseFactory):
    """An active coach profile (named for this module so it cannot clash with the coaches' own)."""

    class Meta:
        model = CoachProfile

    user = factory.SubFactory(UserFactory, roles=(Role.COACH,))
    headline = "Life coach"
    certification_level = CertificationLevel.PROFESSIONAL
    ipec_number = factory.Sequence(lambda n: f"IPEC-P{n:05d}")
    hourly_rate_amount = 9000
    currency = "EUR"
    is_active = True


class SessionTypeFactory(BaseFactory):
    """A 60-minute session for EUR 90."""

    class Meta:
        model = SessionType
        exclude = ("coach",)

    coach = factory.SubFactory(PaymentCoachFactory)
    coach_id = factory.SelfAttribute("coach.id")
    name = "Discovery session"
    duration_minutes = 60
    price_amount = 9000
    currency = "EUR"


class HeldBookingFactory(BaseFactory):
    """A booking held for payment, three days ahead."""

    class Meta:
        model = Booking
        exclude = ("session_type",)

    client = factory.SubFactory(UserFactory)
    session_type = factory.SubFactory(SessionTypeFactory)
    coach_id = factory.LazyAttribute(lambda o: o.session_type.coach_id)
    session_type_id = factory.LazyAttribute(lambda o: o.session_type.id)
    starts_at = factory.LazyFunction(lambda: (utcnow() + timedelta(days=3)).replace(microsecond=0))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=1))
    status = BookingStatus.HELD
    hold_expires_at = factory.LazyFunction(lambda: utcnow() + timedelta(minutes=15))
    amount = factory.LazyAttribute(lambda o: o.session_type.price_amount)
    currency = factory.LazyAttribute(lambda o: o.session_type.currency)


class PaidPaymentFactory(BaseFactory):
    """A succeeded offline payment of a confirmed booking (for console tests)."""

    class Meta:
        model = Payment

    booking = factory.SubFactory(HeldBookingFactory, status=BookingStatus.CONFIRMED)
    booking_id = factory.SelfAttribute("booking.id")
    client_id = factory.SelfAttribute("booking.client_id")
    coach_id = factory.SelfAttribute("booking.coach_id")
    amount = factory.SelfAttribute("booking.amount")
    currency = "EUR"
    status = PaymentStatus.SUCCEEDED
    gateway = "offline"
    provider_intent_id = factory.Sequence(lambda n: f"pi_offline_factory{n}")
    provider_charge_id = factory.Sequence(lambda n: f"ch_offline_factory{n}")
    idempotency_key = factory.Sequence(lambda n: f"booking-factory-{n}")
    succeeded_at = factory.LazyFunction(utcnow)
