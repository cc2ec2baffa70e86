"""Row-writing factories for analytics tests: coaches, bookings, payments, refunds, applications,
flags and events, built directly (never through the other domains' services)."""

from __future__ import annotations

from datetime import timedelta

import factory

from app.analytics.models import AnalyticsEvent, Report, ReportStatus
from app.booking.models import Booking, BookingStatus, SessionType
from app.coaches.models import CertificationLevel, CoachProfile, Review, Specialization
from app.core.db import utcnow
from app.moderation.models import Flag, FlagReason, FlagStatus, ModerationItem, TargetType
from app.payments.models import Payment, PaymentStatus, Refund, RefundReason, RefundStatus
from app.verification.models import ApplicationStatus, CoachApplication
from tests.clock import last_month
from tests.factories.accounts import BaseFactory, UserFactory


class SpecializationFactory(BaseFactory):
    class Meta:
        model = Specialization

    slug = factory.Sequence(lambda n: f"spec-{n}")
    name = factory.LazyAttribute(lambda o: o.slug.title())


class CoachProfileFactory(BaseFactory):
    """An active coach with a user holding the coach role."""

    class Meta:
        model = CoachProfile

    user = factory.SubFactory(UserFactory, roles=("coach",))
    headline = "Helping you grow"
    certification_level = CertificationLevel.PROFESSIONAL
    ipec_number = factory.Sequence(lambda n: f"IPEC-{n:05d}")
    hourly_rate_amount = 12000
    currency = "EUR"
    is_active = True


class SessionTypeFactory(BaseFactory):
    class Meta:
        model = SessionType

    name = "Intro session"
    duration_minutes = 60
    price_amount = 10000
    currency = "EUR"


class BookingFactory(BaseFactory):
    """A booking; pass coach=CoachProfile, client=User, created_at, status and the *_at stamps."""

    class Meta:
        model = Booking
        exclude = ("coach", "client")

    coach = factory.SubFactory(CoachProfileFactory)
    client = factory.SubFactory(UserFactory)
    coach_id = factory.SelfAttribute("coach.id")
    client_id = factory.SelfAttribute("client.id")
    session_type_id = factory.LazyAttribute(
        lambda o: SessionTypeFactory(coach_id=o.coach_id, currency=o.currency, price_amount=o.amount).id
    )
    created_at = factory.LazyFunction(utcnow)
    starts_at = factory.LazyAttribute(lambda o: o.created_at + timedelta(days=3))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=1))
    status = BookingStatus.CONFIRMED
    amount = 10000
    currency = "EUR"


class PaymentFactory(BaseFactory):
    """A payment for a booking (succeeded by default at created_at)."""

    class Meta:
        model = Payment
        exclude = ("booking",)

    booking = factory.SubFactory(BookingFactory)
    booking_id = factory.SelfAttribute("booking.id")
    client_id = factory.SelfAttribute("booking.client_id")
    coach_id = factory.SelfAttribute("booking.coach_id")
    amount = factory.SelfAttribute("booking.amount")
    currency = factory.SelfAttribute("booking.currency")
    status = PaymentStatus.SUCCEEDED
    gateway = "offline"
    idempotency_key = factory.Sequence(lambda n: f"pay-{n}")
    created_at = factory.LazyFunction(utcnow)
    succeeded_at = factory.LazyAttribute(lambda o: o.created_at if o.status == PaymentStatus.SUCCEEDED else None)


class RefundFactory(BaseFactory):
    """A succeeded refund; keeps the payment's amount_refunded in step."""

    class Meta:
        model = Refund
        exclude = ("payment",)

    payment = factory.SubFactory(PaymentFactory)
    payment_id = factory.SelfAttribute("payment.id")
    amount = 2500
    currency = factory.SelfAttribute("payment.currency")
    reason = RefundReason.REQUESTED_BY_CUSTOMER
    status = RefundStatus.SUCCEEDED
    idempotency_key = factory.Sequence(lambda n: f"ref-{n}")
    created_at = factory.LazyFunction(utcnow)
    succeeded_at = factory.LazyAttribute(lambda o: o.created_at if o.status == RefundStatus.SUCCEEDED else None)

    @factory.post_generation
    def keep_payment_in_step(obj, create, extracted, **kwargs):
        if create and obj.status == RefundStatus.SUCCEEDED:
            obj.payment.amount_refunded += obj.amount
            from app.extensions import db

            db.session.commit()


class ReviewFactory(BaseFactory):
    class Meta:
        model = Review

    rating = 5


class ApplicationFactory(BaseFactory):
    """A submitted application; pass status, submitted_at, decided_at."""

    class Meta:
        model = CoachApplication

    user = factory.SubFactory(UserFactory)
    status = ApplicationStatus.SUBMITTED
    first_name = "Ada"
    last_name = "Coach"
    certification_level = CertificationLevel.PROFESSIONAL
    ipec_number = factory.Sequence(lambda n: f"APP-{n:05d}")
    submitted_at = factory.LazyFunction(utcnow)


class ModerationItemFactory(BaseFactory):
    class Meta:
        model = ModerationItem

    target_type = TargetType.DISCUSSION
    target_id = factory.Sequence(lambda n: n + 1)
    first_flagged_at = factory.LazyFunction(utcnow)
    last_flagged_at = factory.SelfAttribute("first_flagged_at")


class FlagFactory(BaseFactory):
    class Meta:
        model = Flag

    item = factory.SubFactory(ModerationItemFactory)
    target_type = factory.SelfAttribute("item.target_type")
    target_id = factory.SelfAttribute("item.target_id")
    reason = FlagReason.SPAM
    status = FlagStatus.OPEN
    created_at = factory.LazyFunction(utcnow)


class EventFactory(BaseFactory):
    class Meta:
        model = AnalyticsEvent

    name = "profile_view"
    properties = factory.LazyFunction(dict)
    occurred_at = factory.LazyFunction(utcnow)


class ReportFactory(BaseFactory):
    class Meta:
        model = Report

    kind = "finance"
    period = factory.LazyFunction(last_month)
    status = ReportStatus.QUEUED
