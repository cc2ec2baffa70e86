"""Verification factories: applications with answers filled in and a certificate document."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

import factory

from app.coaches.models import CertificationLevel
from app.core.db import utcnow
from app.verification.models import ApplicationDocument, ApplicationStatus, CoachApplication
from tests.factories.accounts import BaseFactory, UserFactory


class ApplicationFactory(BaseFactory):
    """A submitted application with every step answered (no document; see DocumentFactory)."""

    class Meta:
        model = CoachApplication

    user = factory.SubFactory(UserFactory)
    status = ApplicationStatus.SUBMITTED
    step = 4
    first_name = factory.LazyAttribute(lambda o: o.user.first_name)
    last_name = factory.LazyAttribute(lambda o: o.user.last_name)
    phone = "+49 30 1234567"
    ipec_number = factory.Sequence(lambda n: f"IPEC-{100000 + n}")
    certification_level = CertificationLevel.PROFESSIONAL
    certification_date = factory.LazyFunction(lambda: date.today() - timedelta(days=400))
    years_experience = 3
    specializations = factory.LazyFunction(lambda: ["career"])
    hourly_rate_amount = 9000
    currency = "EUR"
    languages = factory.LazyFunction(lambda: ["en"])
    bio = "I help people find their path."
    submitted_at = factory.LazyFunction(lambda: utcnow() - timedelta(hours=5))


class DocumentFactory(BaseFactory):
    """A certificate document row; pass data=bytes to store real bytes under storage_key first."""

    class Meta:
        model = ApplicationDocument
        exclude = ("data",)

    data = b"%PDF-1.4 test"
    application = factory.SubFactory(ApplicationFactory)
    storage_key = factory.Sequence(lambda n: f"test/doc-{n}.pdf")
    original_filename = "certificate.pdf"
    sha256 = factory.LazyAttribute(lambda o: hashlib.sha256(o.data).hexdigest())
    size_bytes = factory.LazyAttribute(lambda o: len(o.data))
    content_type = "application/pdf"
