"""`flask seed --demo`: idempotent, the documented rows, real certificate PDFs in storage."""

from __future__ import annotations

import hashlib
import io
import re

import pypdf
import sqlalchemy as sa

from app.booking.models import AvailabilityRule, Booking, BookingStatus, SessionType
from app.coaches.models import CoachProfile, Specialization
from app.community.models import Discussion, Reply
from app.core.storage import storage
from app.extensions import db
from app.moderation.models import Flag, ModerationItem
from app.payments.models import Payment, PaymentStatus, Refund
from app.seed.demo import seed_demo
from app.verification.models import ApplicationDocument, ApplicationStatus, CoachApplication


def _counts() -> dict[str, int]:
    return {t.name: db.session.scalar(sa.select(sa.func.count()).select_from(t)) for t in db.metadata.sorted_tables}


def _without_codes(lines: list[str]) -> list[str]:
    return [re.sub(r"current code: \d{6}", "current code: ******", line) for line in lines]


def test_demo_builds_the_documented_data_and_a_second_run_changes_nothing(app):
    """One test, two runs: seeding is the slow part (argon2, PDFs), so it is done twice only."""
    first = seed_demo()
    _assert_rows()
    _assert_certificates()
    counts = _counts()
    second = seed_demo()
    assert _without_codes(second) == _without_codes(first)
    assert _counts() == counts
    text = "\n".join(first)
    assert "admin@coachconnect.example" in text and "TOTP secret" in text
    assert "coach01@coachconnect.example" in text


def _assert_rows() -> None:
    active = db.session.scalars(sa.select(CoachProfile).where(CoachProfile.is_active)).all()
    assert len(active) == 50  # coach01 … coach50, all bookable (session types and weekly hours)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Specialization)) == 12
    assert {p.currency for p in active} == {"EUR", "USD", "GBP"}
    for profile in active:
        types = db.session.scalar(sa.select(sa.func.count()).where(SessionType.coach_id == profile.id))
        rules = db.session.scalar(sa.select(sa.func.count()).where(AvailabilityRule.coach_id == profile.id))
        assert 2 <= types <= 3 and rules >= 3
        assert profile.specializations and profile.languages
    statuses = dict(
        db.session.execute(sa.select(CoachApplication.status, sa.func.count()).group_by(CoachApplication.status)).all()
    )
    assert sum(statuses.values()) == 30 and set(statuses) == set(ApplicationStatus)
    # Approved applicants hold the coach role and an inactive profile to complete.
    approved = db.session.scalars(
        sa.select(CoachApplication).where(CoachApplication.status == ApplicationStatus.APPROVED)
    ).all()
    assert all(a.user.has_role("coach") for a in approved)
    assert db.session.scalar(sa.select(sa.func.count()).where(CoachProfile.is_active.is_(False))) == len(approved)

    bookings = dict(db.session.execute(sa.select(Booking.status, sa.func.count()).group_by(Booking.status)).all())
    assert sum(bookings.values()) == 40 and len(bookings) >= 4
    assert db.session.scalar(sa.select(sa.func.count()).where(Booking.status == BookingStatus.CONFIRMED)) > 0
    payments = db.session.scalars(sa.select(Payment)).all()
    assert len(payments) == 40 and {p.gateway for p in payments} == {"offline"}
    assert sum(p.status == PaymentStatus.SUCCEEDED for p in payments) >= 30
    refunds = db.session.scalars(sa.select(Refund)).all()
    assert len(refunds) >= 2
    for payment in payments:  # amount_refunded is in step with the succeeded refunds
        assert payment.amount_refunded == sum(r.amount for r in payment.refunds)
        assert payment.created_at.tzinfo is not None

    items = db.session.scalars(sa.select(ModerationItem)).all()
    assert items and any(i.is_hidden for i in items)
    for item in items:
        assert len(item.flags) == item.flag_count
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Flag)) == sum(i.flag_count for i in items)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Discussion)) >= 10
    for body in db.session.scalars(sa.select(Reply.body_html)):
        assert "<script" not in body


def _assert_certificates() -> None:
    """Each application has a real one-page PDF in storage that names the applicant."""
    documents = db.session.scalars(sa.select(ApplicationDocument)).all()
    assert len(documents) == 30
    for doc in documents:
        data = storage().get(doc.storage_key)
        assert hashlib.sha256(data).hexdigest() == doc.sha256
        assert len(data) == doc.size_bytes and doc.content_type == "application/pdf" and doc.page_count == 1
        text = pypdf.PdfReader(io.BytesIO(data)).pages[0].extract_text()
        application = doc.application
        assert "iPEC Certificate" in text
        assert f"{application.first_name} {application.last_name}" in text
        assert application.ipec_number in text
    assert len({d.sha256 for d in documents}) == 30
