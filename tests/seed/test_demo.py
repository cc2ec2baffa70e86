"""`flask seed --demo`: idempotent, the documented rows, real certificate PDFs in storage."""

from __future__ import annotations

import hashlib
import io
import re

import pypdf
import sqlalchemy as sa

from app.accounts.models import User
from app.booking.models import AvailabilityRule, Booking, BookingStatus, SessionType
from app.coaches.models import CoachProfile, Specialization
from app.community.models import Discussion, Reply
from app.core.models import AuditLog
from app.core.storage import storage
from app.extensions import db
from app.moderation.models import Flag, ModerationItem
from app.payments.models import Payment, PaymentStatus, Refund
from app.seed.demo import seed_demo
from app.seed.demo_applications import APPLICANT_EMAIL, VARIANTS
from app.verification.models import ApplicationDocument, ApplicationStatus, CoachApplication
from app.video.models import AttendanceInterval, OutcomeStatus, SessionOutcome


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
    outcomes = dict(
        db.session.execute(sa.select(SessionOutcome.status, sa.func.count()).group_by(SessionOutcome.status)).all()
    )
    assert outcomes == {OutcomeStatus.FINAL: 2, OutcomeStatus.AWAITING_STAFF: 1, OutcomeStatus.CONTESTED: 1}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AttendanceInterval)) == 9
    refunds = db.session.scalars(sa.select(Refund)).all()
    assert len(refunds) >= 2
    for payment in payments:  # amount_refunded is in step with the succeeded refunds
        assert payment.amount_refunded == sum(r.amount for r in payment.refunds)
        assert payment.created_at.tzinfo is not None
    for refund in refunds:  # issue 16, 11: seeded refunds had no audit rows
        rows = db.session.execute(
            sa.select(AuditLog.action, AuditLog.actor_id, AuditLog.created_at)
            .where(AuditLog.object_type == "refunds", AuditLog.object_id == str(refund.id))
            .order_by(AuditLog.id)
        ).all()
        assert [r.action for r in rows] == ["refund.requested", "refund.succeeded"]
        assert {r.actor_id for r in rows} == {refund.requested_by_id}
        assert {r.created_at for r in rows} == {refund.created_at}

    items = db.session.scalars(sa.select(ModerationItem)).all()
    assert items and any(i.is_hidden for i in items)
    for item in items:
        assert len(item.flags) == item.flag_count
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Flag)) == sum(i.flag_count for i in items)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Discussion)) >= 10
    for body in db.session.scalars(sa.select(Reply.body_html)):
        assert "<script" not in body


def _assert_certificates() -> None:
    """Each application has a real one-page certificate in storage: text PDFs that name the applicant,
    plus a scanned PDF and a sideways phone photo; their checks show every outcome."""
    documents = db.session.scalars(sa.select(ApplicationDocument).order_by(ApplicationDocument.id)).all()
    assert len(documents) == 30
    for doc in documents:
        data = storage().get(doc.storage_key)
        assert hashlib.sha256(data).hexdigest() == doc.sha256
        assert len(data) == doc.size_bytes and doc.page_count == 1
        if doc.original_filename.endswith(".jpg"):
            continue
        text = pypdf.PdfReader(io.BytesIO(data)).pages[0].extract_text()
        application = doc.application
        if doc.text_source == "ocr":
            assert text == ""  # the scan: a picture only
            continue
        assert "iPEC Certificate" in text
        assert f"{application.first_name} {application.last_name}" in text
    assert len({d.sha256 for d in documents}) == 30
    by_variant = {}
    for index, variant in VARIANTS.items():
        user = db.session.scalar(sa.select(User).where(User.email == APPLICANT_EMAIL.format(index)))
        application = db.session.scalar(sa.select(CoachApplication).where(CoachApplication.user_id == user.id))
        by_variant[variant] = application
    results = {
        variant: {c.name: c.result.value for c in application.checks} for variant, application in by_variant.items()
    }
    assert (
        results["number"]["certificate_number"],
        results["level"]["level"],
        results["date"]["certificate_date"],
    ) == (
        "fail",
        "fail",
        "fail",
    )
    scan, photo = (by_variant[v].documents[0] for v in ("scan", "photo"))
    assert (scan.text_source, results["scan"]["name"], results["scan"]["certificate_number"]) == ("ocr", "pass", "pass")
    assert (photo.text_source, photo.ocr_rotation, results["photo"]["name"]) == ("ocr", 268, "pass")
