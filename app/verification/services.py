"""Applicant-side services: save a wizard step, submit, apply at once (API), answer a request
for information. Reviewer decisions live in review.py, the certificate checks job in check_runs.py.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm.exc import StaleDataError

from app.accounts.models import User
from app.core import audit
from app.core.db import utcnow
from app.core.effects import commit, rollback
from app.core.errors import Conflict, InvalidState, NotFound, ValidationFailed
from app.core.jobs import enqueue_after_commit
from app.core.mail import external_url, queue_mail
from app.core.storage import storage
from app.core.uploads import EXTENSIONS, Upload, safe_filename, validate_upload
from app.extensions import db
from app.verification.models import (
    ApplicationDocument,
    ApplicationEvent,
    ApplicationStatus,
    ChecksState,
    CoachApplication,
    DocumentDecision,
)
from app.verification.validation import STEP_FIELDS, VALIDATORS, application_values

log = logging.getLogger(__name__)

OPEN_STATUSES = (ApplicationStatus.SUBMITTED, ApplicationStatus.INFO_REQUESTED)
DECIDED = (ApplicationStatus.APPROVED, ApplicationStatus.REJECTED)
CHECKS_QUEUE = "verification"


# --- shared helpers (flush only) -------------------------------------------------------------


def latest_application(user: User) -> CoachApplication | None:
    """The user's most recent application, if any."""
    return db.session.scalar(
        sa.select(CoachApplication).where(CoachApplication.user_id == user.id).order_by(CoachApplication.id.desc())
    )


def unfinished_application(user: User) -> CoachApplication | None:
    """The user's latest application while it is a draft or awaits a decision or an answer."""
    latest = latest_application(user)
    return latest if latest is not None and latest.status not in DECIDED else None


def current_document(application: CoachApplication) -> ApplicationDocument | None:
    """The certificate in force (the latest upload not superseded)."""
    docs = [d for d in application.documents if d.superseded_at is None]
    return docs[-1] if docs else None


def reapply_blocked_until(user: User, now: datetime | None = None) -> datetime | None:
    """When a rejected applicant may apply again, or None if they may now."""
    latest = latest_application(user)
    now = now or utcnow()
    if latest and latest.status == ApplicationStatus.REJECTED and latest.reapply_after and latest.reapply_after > now:
        return latest.reapply_after
    return None


def add_event(application: CoachApplication, actor: User | None, kind: str, message: str = "", staff_only=False):
    """Append a history row (flushes)."""
    event = ApplicationEvent(
        application_id=application.id,
        actor_id=getattr(actor, "id", None),
        kind=kind,
        message=message,
        is_staff_only=staff_only,
    )
    db.session.add(event)
    db.session.flush()
    return event


def status_url() -> str:
    """The applicant's status page on PUBLIC_BASE_URL (for mails)."""
    return external_url("verification.status")


def mail_applicant(application: CoachApplication, template: str, subject: str, **context) -> None:
    """Queue a mail to the applicant (sent by the mail job after the commit)."""
    user = db.session.get(User, application.user_id)
    queue_mail(
        user.email,
        template,
        subject,
        {"application": application, "user": user, "status_url": status_url(), **context},
    )


def flush_or_conflict() -> None:
    """Flush; a concurrent change of the same application becomes a clear 409."""
    try:
        db.session.flush()
    except StaleDataError as exc:
        rollback()
        raise Conflict("The application was changed by someone else meanwhile; reload and try again.") from exc


def _open_draft(user: User) -> CoachApplication:
    """The user's draft, or a new one when they may apply; InvalidState otherwise."""
    latest = latest_application(user)
    if latest is not None:
        if latest.status == ApplicationStatus.DRAFT:
            return latest
        if latest.status in OPEN_STATUSES:
            raise InvalidState("You already have an application under review; see its status page.")
        if latest.status == ApplicationStatus.APPROVED:
            raise InvalidState("Your application was approved already; you are a coach.")
        until = reapply_blocked_until(user)
        if until is not None:
            raise InvalidState(f"You may apply again from {until:%Y-%m-%d}.")
    application = CoachApplication(
        user_id=user.id, first_name=user.first_name, last_name=user.last_name, phone=user.phone or ""
    )
    db.session.add(application)
    db.session.flush()
    audit.record(user, "application.started", application, None, {"status": application.status.value})
    return application


def _apply_values(application: CoachApplication, clean: dict) -> None:
    for name, value in clean.items():
        setattr(application, name, value)


def _store_document(application: CoachApplication, upload: Upload, content_type: str) -> ApplicationDocument:
    """Save the bytes in storage and a document row; earlier documents are superseded."""
    now = utcnow()
    for doc in application.documents:
        if doc.superseded_at is None:
            doc.superseded_at = now
    key = f"applications/{application.id}/{uuid.uuid4().hex}.{EXTENSIONS[content_type][0]}"
    storage().put(key, upload.data, content_type)
    doc = ApplicationDocument(
        application_id=application.id,
        storage_key=key,
        original_filename=safe_filename(upload.filename),
        sha256=hashlib.sha256(upload.data).hexdigest(),
        size_bytes=len(upload.data),
        content_type=content_type,
    )
    db.session.add(doc)
    db.session.flush()
    db.session.refresh(application, ["documents"])
    return doc


def _validate_all(raw: dict, application: CoachApplication | None, upload: Upload | None) -> tuple[dict, str | None]:
    """Validate every step plus the file; all field errors together."""
    errors: dict = {}
    clean: dict = {}
    for validator in VALIDATORS.values():
        try:
            clean.update(validator(raw))
        except ValidationFailed as exc:
            errors.update(exc.fields)
    content_type = None
    if upload is not None or application is None or current_document(application) is None:
        content_type = _checked_upload(upload, errors)
    _raise_marked(errors)
    return clean, content_type


def _checked_upload(upload: Upload | None, errors: dict) -> str | None:
    """The file's content type, or None with its field error added to `errors`."""
    try:
        return validate_upload(upload, current_app.config["UPLOAD_MAX_BYTES"])
    except ValidationFailed as exc:
        errors.update(exc.fields)
        return None


def _raise_marked(errors: dict) -> None:
    """All the form's field errors together, if there are any."""
    if errors:
        raise ValidationFailed("Please correct the marked fields.", fields=errors)


def queue_checks(application: CoachApplication) -> None:
    """Mark the checks pending and run them after the commit."""
    application.checks_state = ChecksState.PENDING
    enqueue_after_commit("workers.verification.run_checks", application.id, queue=CHECKS_QUEUE)


def _submit(application: CoachApplication, user: User) -> None:
    application.transition_to(ApplicationStatus.SUBMITTED)
    application.submitted_at = utcnow()
    application.step = 4
    flush_or_conflict()
    add_event(application, user, "submitted", "Application submitted.")
    audit.record(user, "application.submitted", application, {"status": "draft"}, {"status": "submitted"})
    mail_applicant(application, "verification_received", "We received your coach application")
    queue_checks(application)


# --- applicant services ----------------------------------------------------------------------


def save_step(user: User, step: int, raw: dict, upload: Upload | None = None) -> CoachApplication:
    """Validate and save one wizard step of the user's draft (created on first save)."""
    if step not in VALIDATORS:  # before a draft is opened: a refused step leaves nothing behind
        raise ValidationFailed("There is no such step.", fields={"step": "Steps are 1 to 4."})
    application = _open_draft(user)
    errors: dict = {}
    clean: dict = {}
    try:
        clean = VALIDATORS[step](raw)
    except ValidationFailed as exc:
        errors.update(exc.fields)
    content_type = None
    if step == 2 and (upload is not None or current_document(application) is None):
        content_type = _checked_upload(upload, errors)
    if errors:
        rollback()
        _raise_marked(errors)
    _apply_values(application, clean)
    application.step = max(application.step, min(step + 1, 4))
    if content_type is not None:
        _store_document(application, upload, content_type)
        queue_checks(application)
    flush_or_conflict()
    commit()
    return application


def submit_application(user: User) -> CoachApplication:
    """Submit the user's completed draft for review (re-validates every step)."""
    application = latest_application(user)
    if application is None or application.status != ApplicationStatus.DRAFT:
        raise InvalidState("There is no draft application to submit.")
    try:
        _validate_all(application_values(application), application, None)
    except ValidationFailed as exc:
        first = min(s for s, names in STEP_FIELDS.items() if set(names) & set(exc.fields))
        raise ValidationFailed(f"Step {first} is not complete yet.", fields=exc.fields) from exc
    _submit(application, user)
    commit()
    return application


def create_application(user: User, raw: dict, upload: Upload | None) -> CoachApplication:
    """Apply in one go (the API): validate everything, save, submit."""
    application = latest_application(user)
    reuse = application if application is not None and application.status == ApplicationStatus.DRAFT else None
    clean, content_type = _validate_all(raw, reuse, upload)
    application = _open_draft(user)
    _apply_values(application, clean)
    if content_type is not None:
        _store_document(application, upload, content_type)
    _submit(application, user)
    commit()
    return application


def answer_information_request(
    user: User, application_id: int, text: str, upload: Upload | None = None
) -> CoachApplication:
    """The applicant answers a request for information (text, optionally a new file); back to the queue."""
    application = db.session.get(CoachApplication, application_id)
    if application is None or application.user_id != user.id:
        raise NotFound("No such application.")
    if application.status != ApplicationStatus.INFO_REQUESTED:
        raise InvalidState("This application is not waiting for your answer.")
    text = (text or "").strip()
    errors = {}
    if not text:
        errors["answer"] = "Please write an answer."
    content_type = None
    needs_file = any(d.decision == DocumentDecision.REUPLOAD_REQUESTED for d in application.documents)
    if upload is not None or needs_file:
        content_type = _checked_upload(upload, errors)
    _raise_marked(errors)
    application.transition_to(ApplicationStatus.SUBMITTED)
    flush_or_conflict()
    if content_type is not None:
        doc = _store_document(application, upload, content_type)
        text += f"\n\n(New file: {doc.original_filename})"
        queue_checks(application)
    add_event(application, user, "info_answered", text)
    audit.record(user, "application.info_answered", application, {"status": "info_requested"}, {"status": "submitted"})
    mail_applicant(application, "verification_answered", "Thanks, we received your answer")
    commit()
    return application
