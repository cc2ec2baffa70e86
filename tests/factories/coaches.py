"""Coach profile factories: an active, verified coach with a user, specializations and languages."""

from __future__ import annotations

import factory

from app.accounts.models import Role
from app.coaches.models import CertificationLevel, CoachLanguage, CoachProfile, Specialization
from app.core.db import utcnow
from tests.factories.accounts import BaseFactory, UserFactory


class SpecializationFactory(BaseFactory):
    """A coaching area."""

    class Meta:
        model = Specialization
        sqlalchemy_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"area-{n}")
    name = factory.LazyAttribute(lambda o: o.slug.replace("-", " ").title())


class CoachFactory(BaseFactory):
    """An active coach (user with the coach role); languages=["en", ...], specializations=[...]."""

    class Meta:
        model = CoachProfile
        exclude = ("language_codes",)

    user = factory.SubFactory(UserFactory, roles=(Role.COACH,))
    headline = "Certified life coach"
    bio = factory.Faker("paragraph")
    timezone = "Europe/Berlin"
    certification_level = CertificationLevel.PROFESSIONAL
    ipec_number = factory.Sequence(lambda n: f"IPEC-{n:06d}")
    years_experience = 5
    hourly_rate_amount = 9000
    currency = "EUR"
    is_active = True
    activated_at = factory.LazyFunction(utcnow)
    buffer_minutes = 0
    min_notice_hours = 2
    horizon_days = 60
    client_cancel_notice_hours = 12
    language_codes = ("en",)
    languages = factory.LazyAttribute(lambda o: [CoachLanguage(code=c) for c in o.language_codes])
