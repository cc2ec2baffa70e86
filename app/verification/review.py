"""Reviewer services: decide (approve / reject / request information), reopen, per-document
decisions, retried checks, staff notes and rejection templates.

Every decision first takes the reviewer's claim (app.verification.claims.take_application), so of
two concurrent reviewers exactly one wins; the other gets a clear 409.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from app.accounts.models import Role, User, UserRole
from app.coaches.models import CoachLanguage, CoachProfile, Specialization
from app.core import audit
from app.core.db import utcnow
from app.core.effects import commit
from app.core.errors import Conflict, InvalidState, NotFound, ValidationFailed
from app.extensions import db
from app.verification.check_runs import requeue_checks
from app.verification.claims import CLAIMABLE, fresh_application, require_reviewer, take_application
from app.verification.models import (
    DECISION_FROM,
    ApplicationDocument,
    ApplicationStatus,
    CoachApplication,
    DocumentDecision,
)
from app.verification.services import add_event, current_document, flush_or_conflict, mail_applicant
from app.verification.signals import application_decided


def _decide(application: CoachApplication, actor: User, new: ApplicationStatus, reason: str | None) -> dict:
    before = {"status": application.status.value}
    application.transition_to(new)
    application.decided_at = utcnow()
    application.decided_by_id = actor.id
    application.decision_reason = reason or None
    application.claimed_by_id = None
    application.claimed_at = None
    application.claim_expires_at = None
    return before


def _grant_coach(application: CoachApplication) -> CoachProfile:
    """The coach role and an inactive profile built from the application (updated if it exists)."""
    user = db.session.get(User, application.user_id)
    if not user.has_role(Role.COACH):
        user.role_rows.append(UserRole(role=Role.COACH))
    holder = db.session.scalar(
        sa.select(CoachProfile.user_id).where(
            CoachProfile.ipec_number == application.ipec_number, CoachProfile.user_id != user.id
        )
    )
    if holder is not None:
        raise Conflict(f"The iPEC number {application.ipec_number} already belongs to another coach.")
    profile = db.session.scalar(sa.select(CoachProfile).where(CoachProfile.user_id == user.id))
    if profile is None:
        profile = CoachProfile(user_id=user.id, is_active=False)
        db.session.add(profile)
    profile.bio = application.bio
    profile.certification_level = application.certification_level
    profile.ipec_number = application.ipec_number
    profile.certified_on = application.certification_date
    profile.years_experience = application.years_experience or 0
    profile.hourly_rate_amount = application.hourly_rate_amount
    profile.currency = application.currency
    profile.timezone = user.timezone
    wanted = [s.lower() for s in application.specializations or []]
    profile.specializations = list(
        db.session.scalars(
            sa.select(Specialization).where(
                sa.or_(sa.func.lower(Specialization.slug).in_(wanted), sa.func.lower(Specialization.name).in_(wanted))
            )
        )
    )
    profile.languages = [CoachLanguage(code=code) for code in application.languages or []]
    db.session.flush()
    return profile


def _accept_certificate(application: CoachApplication, actor: User) -> None:
    """Approving the application accepts the certificate it was approved on, unless already decided."""
    doc = current_document(application)
    if doc is not None and doc.decision == DocumentDecision.PENDING:
        doc.decision, doc.decided_by_id = DocumentDecision.ACCEPTED, actor.id
        audit.record(actor, "document.decided", doc, {"decision": "pending"}, {"decision": "accepted"})


def approve_application(application_id: int, actor: User, reason: str = "") -> CoachApplication:
    """Approve: coach role, an inactive profile to complete, a mail; out of the queue."""
    require_reviewer(actor)
    application = take_application(application_id, actor, DECISION_FROM["approve"], "application.approve")
    before = _decide(application, actor, ApplicationStatus.APPROVED, reason.strip())
    flush_or_conflict()
    profile = _grant_coach(application)
    _accept_certificate(application, actor)
    add_event(application, actor, "approved", "Application approved. Welcome aboard!")
    audit.record(actor, "application.approved", application, before, {"status": "approved", "profile": profile.id})
    mail_applicant(application, "verification_approved", "You are now a Coach Connect coach")
    application_decided.send(application, approved=True)
    commit()
    return application


def reject_application(application_id: int, actor: User, reason: str) -> CoachApplication:
    """Reject with a reason (required); the applicant may apply again after REAPPLY_WAIT_DAYS."""
    require_reviewer(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("Give the applicant a reason.", fields={"reason": "A reason is required."})
    application = take_application(application_id, actor, DECISION_FROM["reject"], "application.reject")
    before = _decide(application, actor, ApplicationStatus.REJECTED, reason)
    application.reapply_after = utcnow() + timedelta(days=int(current_app.config["REAPPLY_WAIT_DAYS"]))
    flush_or_conflict()
    add_event(application, actor, "rejected", reason)
    audit.record(actor, "application.rejected", application, before, {"status": "rejected", "reason": reason})
    mail_applicant(application, "verification_rejected", "About your coach application", reason=reason)
    application_decided.send(application, approved=False)
    commit()
    return application


def request_information(application_id: int, actor: User, message: str) -> CoachApplication:
    """Ask the applicant for more information; the item leaves the queue until they answer."""
    require_reviewer(actor)
    message = (message or "").strip()
    if not message:
        raise ValidationFailed("Write what you need.", fields={"reason": "A message is required."})
    application = take_application(application_id, actor, DECISION_FROM["request_info"], "application.request_info")
    before = _decide(application, actor, ApplicationStatus.INFO_REQUESTED, message)
    flush_or_conflict()
    add_event(application, actor, "info_requested", message)
    audit.record(actor, "application.info_requested", application, before, {"status": "info_requested"})
    mail_applicant(application, "verification_info_requested", "We need more information", message=message)
    commit()
    return application


DECISIONS = {"approve": approve_application, "reject": reject_application, "request_info": request_information}


def decide_application(application_id: int, actor: User, decision: str, reason: str = "") -> CoachApplication:
    """Take the reviewer's decision named `decision` (approve, reject, request_info) with its reason or message."""
    service = DECISIONS.get(decision) if isinstance(decision, str) else None
    if service is None:
        raise ValidationFailed(
            "decision must be approve, reject or request_info.", fields={"decision": "Unknown decision."}
        )
    return service(application_id, actor, reason)


def reopen_application(application_id: int, actor: User, reason: str) -> CoachApplication:
    """Send a decided application back to the queue (reason required); an approval's coach role is withdrawn."""
    require_reviewer(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("Say why it is reopened.", fields={"reason": "A reason is required."})
    application = take_application(application_id, actor, DECISION_FROM["reopen"], "application.reopen", force=True)
    before = {"status": application.status.value}
    if application.status == ApplicationStatus.APPROVED:
        user = db.session.get(User, application.user_id)
        user.role_rows = [r for r in user.role_rows if r.role != Role.COACH]
        profile = db.session.scalar(sa.select(CoachProfile).where(CoachProfile.user_id == user.id))
        if profile is not None:
            profile.is_active = False
    application.transition_to(ApplicationStatus.SUBMITTED)
    application.reapply_after = None
    # Undecided again: the earlier decision stays in the history and the audit log, not on the item.
    application.decided_at = application.decided_by_id = application.decision_reason = None
    flush_or_conflict()
    add_event(application, actor, "reopened", reason)
    audit.record(actor, "application.reopened", application, before, {"status": "submitted", "reason": reason})
    mail_applicant(application, "verification_reopened", "Your coach application is under review again", reason=reason)
    commit()
    return application


def decide_document(document_id: int, actor: User, decision: str, reason: str = "") -> ApplicationDocument:
    """Accept a document or ask for a re-upload (with a reason); needs the claim on its application."""
    require_reviewer(actor)
    doc = db.session.get(ApplicationDocument, document_id)
    if doc is None:
        raise NotFound("No such document.")
    try:
        verdict = DocumentDecision(decision)
    except ValueError as exc:
        raise ValidationFailed("Accept or ask for a re-upload.", fields={"decision": "Unknown decision."}) from exc
    reason = (reason or "").strip()
    if verdict == DocumentDecision.REUPLOAD_REQUESTED and not reason:
        raise ValidationFailed("Say why a new file is needed.", fields={"reason": "A reason is required."})
    application = take_application(doc.application_id, actor, CLAIMABLE, "document.decide")
    before = {"decision": doc.decision.value}
    doc.decision, doc.decision_reason, doc.decided_by_id = verdict, reason or None, actor.id
    label = "accepted" if verdict == DocumentDecision.ACCEPTED else f"re-upload requested: {reason}"
    add_event(application, actor, "document", f"{doc.original_filename}: {label}", staff_only=True)
    audit.record(actor, "document.decided", doc, before, {"decision": verdict.value, "reason": reason})
    commit()
    return doc


def retry_checks(application_id: int, actor: User) -> CoachApplication:
    """Queue the certificate checks again after their job failed to run (crashed or stalled)."""
    require_reviewer(actor)
    application = fresh_application(application_id)
    if application.checks_status(utcnow(), current_app.config["JOB_TIMEOUT"]) != "failed to run":
        raise InvalidState("The checks have not failed to run; there is nothing to retry.")
    if current_document(application) is None:
        raise InvalidState("There is no document to check.")
    before = {"checks_state": application.checks_state.value}
    requeue_checks(application.id)
    add_event(application, actor, "checks", "Automatic checks queued again.", staff_only=True)
    audit.record(actor, "application.checks_retried", application, before, {"checks_state": "pending"})
    commit()
    return application


def add_note(application_id: int, actor: User, text: str) -> None:
    """A note only staff see, kept in the history."""
    require_reviewer(actor)
    text = (text or "").strip()
    if not text:
        raise ValidationFailed("Write a note.", fields={"note": "The note is empty."})
    application = fresh_application(application_id)
    add_event(application, actor, "note", text, staff_only=True)
    audit.record(actor, "application.note_added", application)
    commit()


def save_rejection_template(actor: User, template_id: int | None, title: str, body: str):
    """Create or edit a rejection template (audited)."""
    from app.verification.models import RejectionTemplate

    require_reviewer(actor)
    title, body = (title or "").strip()[:80], (body or "").strip()
    if not title or not body:
        missing = {name: "Required." for name, value in (("title", title), ("body", body)) if not value}
        raise ValidationFailed("A template needs a title and a text.", fields=missing)
    template = db.session.get(RejectionTemplate, template_id) if template_id else RejectionTemplate()
    if template is None:
        raise NotFound("No such template.")
    before = {"title": template.title, "body": template.body} if template_id else None
    clash = db.session.scalar(
        sa.select(RejectionTemplate.id).where(RejectionTemplate.title == title, RejectionTemplate.id != template_id)
    )
    if clash:
        raise Conflict("Another template has this title.", fields={"title": "In use by another template."})
    template.title, template.body = title, body
    db.session.add(template)
    db.session.flush()
    audit.record(actor, "rejection_template.saved", template, before, {"title": title, "body": body})
    commit()
    return template
