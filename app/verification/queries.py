"""Read-side queries of the review queue (filters, counts, neighbours, related applications) and of
one application (its history, its checks) and the rejection templates.

Every query here is bounded (keyset pages, LIMITs, indexed filters) so the queue and the review
page stay fast on 100k applications with a query count that does not grow with the page size.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload

from app.accounts.models import Role, User, UserRole
from app.core.db import utcnow
from app.core.inputs import ascii_int
from app.core.pagination import Page, keyset_page
from app.extensions import db
from app.staff.inbox import InboxItem, QueueKeys, named
from app.verification.models import (
    ApplicationDocument,
    ApplicationEvent,
    ApplicationStatus,
    CertificateCheck,
    ChecksState,
    CoachApplication,
    RejectionTemplate,
)

STATUS_FILTERS = {
    "submitted": (ApplicationStatus.SUBMITTED,),
    "info_requested": (ApplicationStatus.INFO_REQUESTED,),
    "approved": (ApplicationStatus.APPROVED,),
    "rejected": (ApplicationStatus.REJECTED,),
    "all": (
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.INFO_REQUESTED,
        ApplicationStatus.APPROVED,
        ApplicationStatus.REJECTED,
    ),
}
AGE_FILTERS = {"": "Any age", "overdue": "Past the target", "24h": "Older than 24 hours", "fresh": "Under 24 hours"}


@dataclass
class QueueFilters:
    """The queue's filters as given in the query string (unknown values fall back to defaults)."""

    status: str = "submitted"
    level: str = ""
    failing: str = ""
    age: str = ""
    assignee: str = ""
    sort: str = "oldest"

    @classmethod
    def from_args(cls, args) -> QueueFilters:
        """Read and sanitise request.args."""
        f = cls(**{k: args.get(k, getattr(cls, k)) for k in ("status", "level", "failing", "age", "assignee", "sort")})
        if f.status not in STATUS_FILTERS:
            f.status = "submitted"
        if f.sort not in ("oldest", "newest"):
            f.sort = "oldest"
        return f


def history(application: CoachApplication, *, staff: bool) -> list[ApplicationEvent]:
    """The application's events in order; the staff-only ones (notes, document decisions) for staff alone."""
    stmt = sa.select(ApplicationEvent).where(ApplicationEvent.application_id == application.id)
    if not staff:
        stmt = stmt.where(ApplicationEvent.is_staff_only.is_(False))
    return list(db.session.scalars(stmt.order_by(ApplicationEvent.id)))


def checks_of(application: CoachApplication) -> list[CertificateCheck]:
    """The latest run's check results, in the order they ran."""
    return list(
        db.session.scalars(
            sa.select(CertificateCheck)
            .where(CertificateCheck.application_id == application.id)
            .order_by(CertificateCheck.id)
        )
    )


def rejection_templates() -> list[RejectionTemplate]:
    """Every rejection template, by title."""
    return list(db.session.scalars(sa.select(RejectionTemplate).order_by(RejectionTemplate.title)))


def target_hours() -> int:
    """The decision target (VERIFICATION_TARGET_HOURS)."""
    return int(current_app.config["VERIFICATION_TARGET_HOURS"])


def filtered(filters: QueueFilters, me: User, now: datetime) -> sa.Select:
    """The queue's statement, without ordering or eager loads."""
    stmt = sa.select(CoachApplication).where(
        CoachApplication.status.in_(STATUS_FILTERS[filters.status]), CoachApplication.submitted_at.is_not(None)
    )
    if filters.level in ("associate", "professional", "master"):
        stmt = stmt.where(CoachApplication.certification_level == filters.level)
    if filters.failing == "yes":
        stmt = stmt.where(CoachApplication.has_failing_checks.is_(True))
    elif filters.failing == "no":  # "no failures" only once the checks have run
        stmt = stmt.where(
            CoachApplication.has_failing_checks.is_(False), CoachApplication.checks_state == ChecksState.DONE
        )
    elif filters.failing == "unchecked":
        stmt = stmt.where(CoachApplication.checks_state != ChecksState.DONE)
    if filters.age == "overdue":
        stmt = stmt.where(CoachApplication.submitted_at < now - timedelta(hours=target_hours()))
    elif filters.age == "24h":
        stmt = stmt.where(CoachApplication.submitted_at < now - timedelta(hours=24))
    elif filters.age == "fresh":
        stmt = stmt.where(CoachApplication.submitted_at >= now - timedelta(hours=24))
    active = CoachApplication.claim_expires_at > now
    if filters.assignee == "me":
        stmt = stmt.where(CoachApplication.claimed_by_id == me.id, active)
    elif filters.assignee == "none":
        stmt = stmt.where(sa.or_(CoachApplication.claimed_by_id.is_(None), CoachApplication.claim_expires_at <= now))
    elif ascii_int(filters.assignee) is not None:
        stmt = stmt.where(CoachApplication.claimed_by_id == ascii_int(filters.assignee), active)
    return stmt


def queue_page(filters: QueueFilters, me: User, cursor: str | None, limit: int) -> Page:
    """One keyset page of the queue, applicant and claim holder loaded in the same query."""
    stmt = filtered(filters, me, utcnow()).options(
        joinedload(CoachApplication.user), joinedload(CoachApplication.claimed_by)
    )
    columns = [CoachApplication.submitted_at, CoachApplication.id]
    return keyset_page(stmt, columns, filters.sort == "newest", cursor, limit)


COUNT_CAP = 10_000  # counts above this show as "10,000+": exact counts of huge sets cost a full scan


def _capped(stmt: sa.Select) -> sa.ScalarSelect:
    """count(*) of at most COUNT_CAP + 1 rows of `stmt` (an index scan that stops early)."""
    return sa.select(sa.func.count()).select_from(stmt.limit(COUNT_CAP + 1).subquery()).scalar_subquery()


def filtered_count(filters: QueueFilters, me: User) -> int:
    """How many applications match the filters (capped at COUNT_CAP + 1)."""
    return db.session.scalar(sa.select(_capped(filtered(filters, me, utcnow()).with_only_columns(CoachApplication.id))))


def status_counts() -> dict[str, int]:
    """Open applications per status (capped at COUNT_CAP + 1), in one query; decided ones are not counted."""
    keys = ["submitted", "info_requested"]
    columns = [
        _capped(sa.select(CoachApplication.id).where(CoachApplication.status == ApplicationStatus(key))).label(key)
        for key in keys
    ]
    row = db.session.execute(sa.select(*columns)).one()
    return dict(zip(keys, row, strict=True))


def reviewers() -> list[User]:
    """Everyone who may review (for the assignee filter and reassigning)."""
    return list(
        db.session.scalars(
            sa.select(User)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role.in_([Role.VERIFIER, Role.ADMIN]))
            .order_by(User.first_name, User.id)
            .distinct()
            .limit(200)
        )
    )


def neighbours(application: CoachApplication) -> tuple[int | None, int | None]:
    """The previous and next application awaiting a decision, in queue order."""
    if application.submitted_at is None:
        return None, None
    key = sa.tuple_(CoachApplication.submitted_at, CoachApplication.id)
    here = sa.tuple_(
        sa.literal(application.submitted_at, CoachApplication.submitted_at.type), sa.literal(application.id)
    )
    base = sa.select(CoachApplication.id).where(CoachApplication.status == ApplicationStatus.SUBMITTED)
    prev_id = db.session.scalar(
        base.where(key < here).order_by(CoachApplication.submitted_at.desc(), CoachApplication.id.desc()).limit(1)
    )
    next_id = db.session.scalar(
        base.where(key > here).order_by(CoachApplication.submitted_at, CoachApplication.id).limit(1)
    )
    return prev_id, next_id


def related_applications(application: CoachApplication) -> list[tuple[CoachApplication, str]]:
    """Other applications by the same person or with the same file, with why they are related."""
    same_user = db.session.scalars(
        sa.select(CoachApplication)
        .where(CoachApplication.user_id == application.user_id, CoachApplication.id != application.id)
        .order_by(CoachApplication.id.desc())
        .limit(20)
    ).all()
    hashes = sa.select(ApplicationDocument.sha256).where(ApplicationDocument.application_id == application.id)
    same_file = db.session.scalars(
        sa.select(CoachApplication)
        .join(ApplicationDocument, ApplicationDocument.application_id == CoachApplication.id)
        .where(ApplicationDocument.sha256.in_(hashes), CoachApplication.id != application.id)
        .options(joinedload(CoachApplication.user))
        .order_by(CoachApplication.id.desc())
        .limit(20)
    ).unique()
    out = [(a, "same person") for a in same_user]
    seen = {a.id for a in same_user}
    out += [(a, "same file") for a in same_file if a.id not in seen]
    return out


def _checks_words(application: CoachApplication, now: datetime) -> str:
    """The checks' state in words: never "ok" before they have run."""
    state = application.checks_status(now)
    if state != "done":
        return f"checks {state}"
    return "checks failing" if application.has_failing_checks else "checks passed"


def inbox_keys() -> QueueKeys:
    """The inbox's part: applications awaiting a decision (as the queue counts them), by submission."""
    waiting = filtered(QueueFilters(), None, utcnow())
    return QueueKeys(
        waiting.with_only_columns(CoachApplication.id.label("id"), CoachApplication.submitted_at.label("since")),
        _capped(waiting.with_only_columns(CoachApplication.id)),
    )


def inbox_load(ids: list[int]) -> dict[int, InboxItem]:
    """The shown applications as inbox items, applicant and claim holder in the same query."""
    from flask import url_for

    rows = db.session.scalars(
        sa.select(CoachApplication)
        .where(CoachApplication.id.in_(ids))
        .options(named(CoachApplication.user), named(CoachApplication.claimed_by))
    )
    now = utcnow()
    return {
        a.id: InboxItem(
            "verification",
            f"Application #{a.id}",
            f"{a.first_name} {a.last_name} · {a.certification_level or 'no level'} · {_checks_words(a, now)}",
            url_for("verification_staff.review_page", application_id=a.id),
            a.submitted_at,
            holder=a.claimed_by if a.is_claimed(now) else None,
            person=a.user,
        )
        for a in rows
    }


CROSS_CHECKS = ("text", "name", "certificate_number", "level", "certificate_date", "issuer")  # read from the file


def risk_facts(application: CoachApplication, document: ApplicationDocument | None, checks: list) -> list:
    """The review page's facts beyond the person's: the same file or iPEC number elsewhere, and what the
    certificate's own text said (issue 23's checks), never "passed" before the checks have run."""
    from app.staff.risk import RiskFact

    facts = []
    if document is not None:
        same_file = db.session.execute(
            sa.select(sa.func.count(sa.distinct(CoachApplication.id)), sa.func.min(CoachApplication.id))
            .join(ApplicationDocument, ApplicationDocument.application_id == CoachApplication.id)
            .where(ApplicationDocument.sha256 == document.sha256, CoachApplication.user_id != application.user_id)
        ).one()
        facts.append(_elsewhere("Same certificate file", same_file, "bad"))
    if application.ipec_number:
        same_number = db.session.execute(
            sa.select(sa.func.count(), sa.func.min(CoachApplication.id)).where(
                CoachApplication.ipec_number == application.ipec_number,
                CoachApplication.user_id != application.user_id,
            )
        ).one()
        facts.append(_elsewhere("Same iPEC number", same_number, "warn"))
    state = application.checks_status()
    read = [c for c in checks if c.name in CROSS_CHECKS]
    if state != "done" or not read:
        facts.append(RiskFact("Certificate read", f"checks {state}" if state != "done" else "not checked", "warn",
                              "#checks"))  # fmt: skip
        return facts
    bad = [c for c in read if c.result.value != "pass"]
    source = (
        {"text_layer": "text layer", "ocr": "OCR"}.get(document.text_source or "", "nothing read") if document else ""
    )
    if document is not None and document.ocr_confidence is not None:
        source += f", confidence {document.ocr_confidence:.0f}%"
    words = "; ".join(f"{c.name.replace('_', ' ')} {c.result.value}" for c in bad) or f"all {len(read)} pass"
    level = "bad" if any(c.result.value == "fail" for c in bad) else ("warn" if bad else "info")
    facts.append(RiskFact("Certificate read", f"{words} ({source})" if source else words, level, "#checks"))
    return facts


def _elsewhere(label: str, row, level: str):
    from flask import url_for

    from app.staff.risk import RiskFact

    count, first = row
    if not count:
        return RiskFact(label, "not on another person's application")
    url = url_for("verification_staff.review_page", application_id=first)
    return RiskFact(label, f"on {count} other person's application{'s' if count != 1 else ''} (#{first}…)", level, url)
