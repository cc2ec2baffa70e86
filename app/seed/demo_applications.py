"""Demo coach applications in mixed statuses, each with a generated certificate PDF in storage."""

from __future__ import annotations

import hashlib
import random
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from app.accounts.models import Role, User, UserRole
from app.coaches.models import CertificationLevel, CoachLanguage, CoachProfile
from app.core.storage import storage
from app.extensions import db
from app.seed import catalog
from app.seed.certificates import certificate_pdf, photo_jpeg, scanned_pdf
from app.seed.demo_coaches import ensure_user
from app.verification.models import (
    ApplicationDocument,
    ApplicationEvent,
    ApplicationStatus,
    ChecksState,
    CoachApplication,
    DocumentDecision,
    RejectionTemplate,
)

APPLICANT_EMAIL = "applicant{:02d}@coachconnect.example"
# 30 applications: mostly awaiting a decision, the rest spread over the other statuses.
STATUSES = (
    [ApplicationStatus.SUBMITTED] * 13
    + [ApplicationStatus.INFO_REQUESTED] * 5
    + [ApplicationStatus.APPROVED] * 5
    + [ApplicationStatus.REJECTED] * 4
    + [ApplicationStatus.DRAFT] * 3
)
# Certificates that show each outcome of the checks; every other certificate agrees with its claims.
VARIANTS = {3: "scan", 6: "photo", 8: "date", 10: "number", 12: "level"}
REJECTION = "The certificate number could not be matched to the iPEC register."
INFO_REQUEST = "Please upload a clearer scan of your certificate showing the certificate number."


def _spec(rng: random.Random, i: int, status: ApplicationStatus, now: datetime) -> dict:
    zone, currency = rng.choice(catalog.ZONES)
    return {
        "index": i,
        "email": APPLICANT_EMAIL.format(i),
        "status": status,
        "first": rng.choice(catalog.FIRST_NAMES),
        "last": rng.choice(catalog.LAST_NAMES),
        "zone": zone,
        "currency": currency,
        "level": rng.choice(list(CertificationLevel)),
        "ipec": f"IPEC-{2000000 + i:07d}",
        "certified_on": date(2026, 1, 1) - timedelta(days=rng.randrange(30, 2500)),
        "years": rng.randrange(0, 15),
        "specs": rng.sample([s for s, _ in catalog.SPECIALIZATIONS], rng.randint(1, 3)),
        "langs": ["en"] + rng.sample(catalog.LANGUAGES[1:], rng.randint(0, 2)),
        "rate": rng.randrange(6000, 20001, 500),
        # Spread over ~10 days so some are past the 48 h decision target.
        "submitted_at": now - timedelta(hours=rng.randrange(2, 240), minutes=rng.randrange(60)),
        "bio": " ".join(rng.sample(catalog.BIO_SENTENCES, 2)),
    }


def _certificate(spec: dict) -> tuple[bytes, str, str]:
    """The spec's certificate bytes, content type and extension (see VARIANTS)."""
    variant = VARIANTS.get(spec["index"])
    name = f"{spec['first']} {spec['last']}"
    level, number, when = spec["level"], spec["ipec"], spec["certified_on"]
    if variant == "number":
        number = "IPEC-424242"
    elif variant == "level":
        levels = list(CertificationLevel)
        level = levels[(levels.index(level) + 1) % len(levels)]
    elif variant == "date":
        when = when - timedelta(days=400)
    data = certificate_pdf(name, level.value, number, when)
    if variant == "scan":
        return scanned_pdf(data), "application/pdf", "pdf"
    if variant == "photo":
        return photo_jpeg(data), "image/jpeg", "jpg"
    return data, "application/pdf", "pdf"


def _store_certificate(application: CoachApplication, spec: dict) -> None:
    data, content_type, ext = _certificate(spec)
    digest = hashlib.sha256(data).hexdigest()
    key = f"applications/{application.id}/certificate-{digest[:16]}.{ext}"
    storage().put(key, data, content_type)
    db.session.add(
        ApplicationDocument(
            application_id=application.id,
            storage_key=key,
            original_filename=f"ipec-certificate-{spec['last'].lower()}.{ext}",
            sha256=digest,
            size_bytes=len(data),
            content_type=content_type,
            page_count=1,
            uploaded_at=spec["submitted_at"] - timedelta(minutes=20),
        )
    )


# The reasons reviewers write most often; they edit the text before sending when needed.
REJECTION_TEMPLATES = [
    ("Number not in the register", REJECTION + " Please check the number on your certificate and apply again."),
    (
        "Name does not match",
        "The name on the certificate does not match the name on your application. Please apply again with a "
        "certificate issued in your name, or explain the difference (for example a change of name).",
    ),
    (
        "Certificate unreadable",
        "We could not read your certificate. Please apply again with a clear scan or the PDF issued by iPEC.",
    ),
    (
        "Not an iPEC certificate",
        "Coach Connect lists coaches certified by iPEC; the document you sent is not an iPEC certificate.",
    ),
]


def seed_rejection_templates() -> None:
    """The rejection templates reviewers start from, each added once (by title)."""
    have = set(db.session.scalars(sa.select(RejectionTemplate.title)))
    db.session.add_all(RejectionTemplate(title=t, body=b) for t, b in REJECTION_TEMPLATES if t not in have)


def run_pending_checks() -> int:
    """Run the certificate checks of submitted demo applications that have none yet; how many ran."""
    from app.verification import check_runs

    ids = db.session.scalars(
        sa.select(CoachApplication.id)
        .where(CoachApplication.status != ApplicationStatus.DRAFT, CoachApplication.checks_state == ChecksState.PENDING)
        .order_by(CoachApplication.id)
    ).all()
    for application_id in ids:
        check_runs.run_checks(application_id)
    return len(ids)


def _decide(application: CoachApplication, spec: dict, verifier: User) -> list[tuple[str, str]]:
    """Apply the spec's status as a reviewer would have; return the history events (kind, message)."""
    status, at = spec["status"], spec["submitted_at"] + timedelta(hours=20)
    if status == ApplicationStatus.INFO_REQUESTED:
        application.decision_reason = INFO_REQUEST
        return [("info_requested", INFO_REQUEST)]
    if status == ApplicationStatus.REJECTED:
        application.decided_at, application.decided_by_id = at, verifier.id
        application.decision_reason, application.reapply_after = REJECTION, at + timedelta(days=30)
        return [("rejected", REJECTION)]
    if status == ApplicationStatus.APPROVED:
        application.decided_at, application.decided_by_id = at, verifier.id
        application.decision_reason = "Certificate verified against the register."
        user = application.user
        if not user.has_role(Role.COACH):
            user.role_rows.append(UserRole(role=Role.COACH))
        # Approval gives an inactive profile for the new coach to complete.
        profile = CoachProfile(
            user_id=user.id,
            timezone=spec["zone"],
            certification_level=spec["level"],
            ipec_number=spec["ipec"],
            certified_on=spec["certified_on"],
            years_experience=spec["years"],
            hourly_rate_amount=spec["rate"],
            currency=spec["currency"],
            bio=spec["bio"],
            is_active=False,
        )
        profile.languages = [CoachLanguage(code=c) for c in spec["langs"]]
        db.session.add(profile)
        return [("approved", "Welcome to Coach Connect.")]
    return []


def seed_applications(password_hash: str, verifier: User) -> int:
    """Create the missing demo applications; return how many exist in total."""
    seed_rejection_templates()
    rng = random.Random(42)
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    specs = [_spec(rng, i, status, now) for i, status in enumerate(STATUSES, start=1)]
    for spec in specs:
        user = ensure_user(spec["email"], [Role.CLIENT], spec["first"], spec["last"], spec["zone"], password_hash)
        if db.session.scalar(sa.select(CoachApplication.id).where(CoachApplication.user_id == user.id)):
            continue
        is_draft = spec["status"] == ApplicationStatus.DRAFT
        application = CoachApplication(
            user_id=user.id,
            status=spec["status"],
            step=3 if is_draft else 4,
            first_name=spec["first"],
            last_name=spec["last"],
            phone=f"+49 30 {rng.randrange(1000000, 9999999)}",
            ipec_number=spec["ipec"],
            certification_level=spec["level"],
            certification_date=spec["certified_on"],
            years_experience=spec["years"],
            specializations=spec["specs"],
            previous_coaching="Private clients and an in-house coaching programme.",
            hourly_rate_amount=None if is_draft else spec["rate"],
            currency=None if is_draft else spec["currency"],
            availability_summary="" if is_draft else "Weekday mornings, some evenings.",
            languages=spec["langs"],
            bio=spec["bio"],
            submitted_at=None if is_draft else spec["submitted_at"],
            created_at=spec["submitted_at"] - timedelta(hours=1),
        )
        db.session.add(application)
        db.session.flush()
        _store_certificate(application, spec)
        if not is_draft:
            events = [("submitted", "")] + _decide(application, spec, verifier)
            for n, (kind, message) in enumerate(events):
                at = spec["submitted_at"] + timedelta(hours=20 * n)
                actor = user.id if kind == "submitted" else verifier.id
                db.session.add(
                    ApplicationEvent(
                        application_id=application.id, actor_id=actor, kind=kind, message=message, created_at=at
                    )
                )
        if spec["status"] == ApplicationStatus.APPROVED:
            for doc in application.documents:
                doc.decision, doc.decided_by_id = DocumentDecision.ACCEPTED, verifier.id
        db.session.flush()
    return db.session.scalar(sa.select(sa.func.count()).select_from(CoachApplication))
