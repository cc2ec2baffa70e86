"""Coach applications, their uploaded documents, automatic check results, notes and history."""

from __future__ import annotations

import enum
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.coaches.models import CertificationLevel
from app.core.claims import ClaimMixin
from app.core.db import StatusMachine, TimestampMixin, UTCDateTime, enum_column, utcnow
from app.core.roles import REVIEWER_ROLES
from app.extensions import db


class ApplicationStatus(enum.StrEnum):
    """Where an application stands; see ALLOWED_TRANSITIONS."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    INFO_REQUESTED = "info_requested"
    APPROVED = "approved"
    REJECTED = "rejected"


ALLOWED_TRANSITIONS: dict[ApplicationStatus, frozenset[ApplicationStatus]] = {
    ApplicationStatus.DRAFT: frozenset({ApplicationStatus.SUBMITTED}),
    ApplicationStatus.SUBMITTED: frozenset(
        {ApplicationStatus.APPROVED, ApplicationStatus.REJECTED, ApplicationStatus.INFO_REQUESTED}
    ),
    ApplicationStatus.INFO_REQUESTED: frozenset({ApplicationStatus.SUBMITTED, ApplicationStatus.REJECTED}),
    # Reopening a decision (audited, with a reason) sends it back to the queue.
    ApplicationStatus.APPROVED: frozenset({ApplicationStatus.SUBMITTED}),
    ApplicationStatus.REJECTED: frozenset({ApplicationStatus.SUBMITTED}),
}

AWAITING_DECISION = (ApplicationStatus.SUBMITTED,)
# With a reviewer: claimable, and open to a decision (reject even while the applicant answers).
OPEN_FOR_REVIEW = (ApplicationStatus.SUBMITTED, ApplicationStatus.INFO_REQUESTED)
DECIDED = (ApplicationStatus.APPROVED, ApplicationStatus.REJECTED)
# The statuses each reviewer decision starts from; the services' conditional UPDATEs use the same.
DECISION_FROM: dict[str, tuple[ApplicationStatus, ...]] = {
    "approve": AWAITING_DECISION,
    "reject": OPEN_FOR_REVIEW,
    "request_info": AWAITING_DECISION,
    "reopen": DECIDED,
}


class CheckResult(enum.StrEnum):
    """Outcome of one automatic certificate check."""

    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"


class ChecksState(enum.StrEnum):
    """Where the certificate checks job stands; shown as such, never read as a pass."""

    PENDING = "pending"  # queued, not started
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"  # the job itself crashed; the results (if any) are from an earlier run


class CoachApplication(StatusMachine, ClaimMixin, TimestampMixin, db.Model):
    """A become-a-coach application: the applicant's answers, its status and its claim."""

    TRANSITIONS = ALLOWED_TRANSITIONS
    __tablename__ = "coach_applications"
    __table_args__ = (
        sa.Index("ix_coach_applications_queue", "status", "submitted_at", "id"),
        # "All statuses" and age filters page through submitted_at without a sort.
        sa.Index("ix_coach_applications_submitted", "submitted_at", "id"),
        sa.Index("ix_coach_applications_level_queue", "certification_level", "status", "submitted_at"),
        sa.Index("ix_coach_applications_failing_queue", "has_failing_checks", "status", "submitted_at"),
        sa.Index("ix_coach_applications_claimed", "claimed_by_id", "claim_expires_at"),
        sa.Index("ix_coach_applications_user", "user_id", "created_at"),
        sa.Index("ix_coach_applications_ipec", "ipec_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False)
    status: Mapped[ApplicationStatus] = mapped_column(
        enum_column(ApplicationStatus), default=ApplicationStatus.DRAFT, nullable=False
    )
    step: Mapped[int] = mapped_column(default=1, nullable=False)  # wizard progress, 1-4
    # Step 1: personal
    first_name: Mapped[str] = mapped_column(sa.String(80), default="", nullable=False)
    last_name: Mapped[str] = mapped_column(sa.String(80), default="", nullable=False)
    phone: Mapped[str] = mapped_column(sa.String(40), default="", nullable=False)
    # Step 2: certification
    ipec_number: Mapped[str | None] = mapped_column(sa.String(32))
    certification_level: Mapped[CertificationLevel | None] = mapped_column(enum_column(CertificationLevel))
    certification_date: Mapped[date | None] = mapped_column(sa.Date)
    # Step 3: experience
    years_experience: Mapped[int | None] = mapped_column()
    specializations: Mapped[list] = mapped_column(sa.JSON, default=list, nullable=False)
    previous_coaching: Mapped[str] = mapped_column(sa.Text, default="", nullable=False)
    other_certifications: Mapped[str] = mapped_column(sa.Text, default="", nullable=False)
    # Step 4: business
    hourly_rate_amount: Mapped[int | None] = mapped_column(sa.BigInteger)
    currency: Mapped[str | None] = mapped_column(sa.String(3))
    availability_summary: Mapped[str] = mapped_column(sa.Text, default="", nullable=False)
    languages: Mapped[list] = mapped_column(sa.JSON, default=list, nullable=False)
    services: Mapped[str] = mapped_column(sa.Text, default="", nullable=False)
    bio: Mapped[str] = mapped_column(sa.Text, default="", nullable=False)

    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decision_reason: Mapped[str | None] = mapped_column(sa.Text)
    reapply_after: Mapped[datetime | None] = mapped_column(UTCDateTime)
    has_failing_checks: Mapped[bool] = mapped_column(default=False, nullable=False)
    checks_state: Mapped[ChecksState] = mapped_column(
        enum_column(ChecksState), default=ChecksState.PENDING, server_default="pending", nullable=False
    )
    checks_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checks_finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The claim: one reviewer at a time, enforced by a conditional UPDATE in the service.
    claimed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claim_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(default=1, nullable=False)

    user = relationship("User", foreign_keys=[user_id])
    claimed_by = relationship("User", foreign_keys=[claimed_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])
    documents: Mapped[list[ApplicationDocument]] = relationship(
        back_populates="application", order_by="ApplicationDocument.id"
    )
    checks: Mapped[list[CertificateCheck]] = relationship(order_by="CertificateCheck.id")

    __mapper_args__ = {"version_id_col": version}

    def refused_transition(self, new: ApplicationStatus) -> str:
        """Why the application cannot become `new`."""
        return f"An application that is {self.status.value} cannot become {new.value}."

    @property
    def is_decided(self) -> bool:
        """Approved or rejected."""
        return self.status in DECIDED

    def is_reviewable_by(self, user) -> bool:
        """Verification staff (admins too) who are not the applicant: nobody reviews their own application."""
        return _is_reviewer(user) and user.id != self.user_id

    def can_be_decided_by(self, user, now: datetime | None = None, decision: str = "reject") -> bool:
        """Whether `user` may take `decision` (approve, reject, request_info, reopen) now: a reviewer
        who is not the applicant, the status the decision starts from, and nobody else's live claim
        (reopening takes the item whoever holds it). The default asks whether any decision is open."""
        if self.status not in DECISION_FROM.get(decision, ()) or not self.is_reviewable_by(user):
            return False
        return decision == "reopen" or not self.is_held_by_other_than(user, now)

    def is_visible_to(self, user) -> bool:
        """The applicant sees their own application; verification staff see every one."""
        return user is not None and (user.id == self.user_id or _is_reviewer(user))

    def is_overdue(self, now: datetime, target: timedelta) -> bool:
        """Still awaiting a decision `target` after it was submitted."""
        return self.status in AWAITING_DECISION and self.submitted_at is not None and now - self.submitted_at > target

    def checks_status(self, now: datetime | None = None, stalled_after: int = 900) -> str:
        """pending, running, failed to run (crashed, or running for longer than `stalled_after` s), done."""
        if self.checks_state == ChecksState.RUNNING and self.checks_started_at is not None:
            if ((now or utcnow()) - self.checks_started_at).total_seconds() > stalled_after:
                return "failed to run"
        return "failed to run" if self.checks_state == ChecksState.FAILED else self.checks_state.value


def _is_reviewer(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and user.has_role(*REVIEWER_ROLES)


class DocumentDecision(enum.StrEnum):
    """A reviewer's verdict on one document."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    REUPLOAD_REQUESTED = "reupload_requested"


class ApplicationDocument(db.Model):
    """An uploaded certificate file; bytes live in storage under storage_key."""

    __tablename__ = "application_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("coach_applications.id"), index=True, nullable=False)
    kind: Mapped[str] = mapped_column(sa.String(32), default="certificate", nullable=False)
    storage_key: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    original_filename: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    sha256: Mapped[str] = mapped_column(sa.String(64), index=True, nullable=False)
    size_bytes: Mapped[int] = mapped_column(sa.BigInteger, nullable=False)
    content_type: Mapped[str] = mapped_column(sa.String(64), nullable=False)  # sniffed
    page_count: Mapped[int | None] = mapped_column()
    preview_key: Mapped[str | None] = mapped_column(sa.String(255))
    # A flattened re-rendered PDF, made when the original has active content; offered instead of it.
    safe_copy_key: Mapped[str | None] = mapped_column(sa.String(255))
    # What the checks read from it: where from (text_layer, ocr, none), the text, OCR's confidence
    # and turn, and the boxes (fractions of the first page) of the words each check matched.
    text_source: Mapped[str | None] = mapped_column(sa.String(16))
    text_content: Mapped[str | None] = mapped_column(sa.Text)
    ocr_confidence: Mapped[float | None] = mapped_column(sa.Float)
    ocr_rotation: Mapped[float | None] = mapped_column(sa.Float)
    evidence: Mapped[dict] = mapped_column(sa.JSON, default=dict, server_default="{}", nullable=False)
    decision: Mapped[DocumentDecision] = mapped_column(
        enum_column(DocumentDecision), default=DocumentDecision.PENDING, nullable=False
    )
    decision_reason: Mapped[str | None] = mapped_column(sa.Text)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    application: Mapped[CoachApplication] = relationship(back_populates="documents")


class CertificateCheck(db.Model):
    """One automatic check's result on an application or document, with a human sentence."""

    __tablename__ = "certificate_checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("coach_applications.id"), index=True, nullable=False)
    document_id: Mapped[int | None] = mapped_column(sa.ForeignKey("application_documents.id"))
    name: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    result: Mapped[CheckResult] = mapped_column(enum_column(CheckResult), nullable=False)
    message: Mapped[str] = mapped_column(sa.Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class ApplicationEvent(db.Model):
    """The applicant-visible history: submitted, info requested, answered, decided."""

    __tablename__ = "application_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("coach_applications.id"), index=True, nullable=False)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    message: Mapped[str] = mapped_column(sa.Text, default="", nullable=False)
    is_staff_only: Mapped[bool] = mapped_column(default=False, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    actor = relationship("User")


class RejectionTemplate(db.Model):
    """An editable reason text reviewers start a rejection from."""

    __tablename__ = "rejection_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(80), unique=True, nullable=False)
    body: Mapped[str] = mapped_column(sa.Text, nullable=False)
