"""The verification console: the queue, the review page, decisions, claims, documents, templates."""

from __future__ import annotations

import io
from datetime import timedelta

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from app.core.db import utcnow
from app.core.errors import Conflict
from app.core.forms import require_confirm_form, require_valid
from app.core.security import roles_required
from app.core.storage import storage
from app.core.view_errors import service_errors
from app.extensions import db
from app.staff.risk import person_facts
from app.verification import claims, queries, review, services
from app.verification.checks import CHECK_TITLES
from app.verification.forms import (
    DECISION_LABELS,
    DecisionForm,
    DocumentDecisionForm,
    NoteForm,
    ReassignForm,
    RejectionTemplateForm,
    ReleaseForm,
    ReopenForm,
    RetryChecksForm,
)
from app.verification.models import (
    REVIEWER_ROLES,
    ApplicationDocument,
    CoachApplication,
)

bp = Blueprint("verification_staff", __name__, url_prefix="/staff/verification", template_folder="templates")
bp.add_app_template_global(RetryChecksForm, "retry_checks_form")  # the Retry button in the queue and the review page


@bp.app_template_filter("capped")
def capped(n: int) -> str:
    """A count from queries.filtered_count / status_counts: '10,000+' past the cap."""
    return f"{queries.COUNT_CAP:,}+" if n > queries.COUNT_CAP else f"{n:,}"


PAGE_SIZE = 50


@bp.get("/")
@roles_required(*REVIEWER_ROLES)
def queue():
    """Applications awaiting a decision, oldest first, filterable, with their age against the target."""
    filters = queries.QueueFilters.from_args(request.args)
    limit = min(max(request.args.get("limit", PAGE_SIZE, type=int) or PAGE_SIZE, 1), 200)
    page = queries.queue_page(filters, current_user, request.args.get("after"), limit)
    return render_template(
        "verification/staff_queue.html",
        page=page,
        filters=filters,
        counts=queries.status_counts(),
        total=queries.filtered_count(filters, current_user),
        reviewers=queries.reviewers(),
        age_filters=queries.AGE_FILTERS,
        target=timedelta(hours=queries.target_hours()),
        now=utcnow(),
    )


@bp.get("/<int:application_id>")
@roles_required(*REVIEWER_ROLES)
def review_page(application_id: int):
    """Everything about one application; opening it claims it for the reviewer."""
    application = db.get_or_404(CoachApplication, application_id)
    claim_problem = None
    if application.status in claims.CLAIMABLE:
        try:
            application = claims.claim_application(application_id, current_user)
        except Conflict as exc:
            claim_problem = exc.message
            application = db.session.get(CoachApplication, application_id, populate_existing=True)
    events = queries.history(application, staff=True)
    checks = queries.checks_of(application)
    prev_id, next_id = queries.neighbours(application)
    templates = queries.rejection_templates()
    form = DecisionForm()
    document = services.current_document(application)
    risk = [
        ("Applicant", person_facts(application.user, current_user, utcnow())),
        ("Application", queries.risk_facts(application, document, checks)),
    ]
    return render_template(
        "verification/staff_review.html",
        risk=risk,
        application=application,
        document=document,
        events=events,
        checks=checks,
        check_titles=CHECK_TITLES,
        related=queries.related_applications(application),
        prev_id=prev_id,
        next_id=next_id,
        templates=templates,
        form=form,
        note_form=NoteForm(),
        reopen_form=ReopenForm(),
        release_form=ReleaseForm(),
        reassign_form=ReassignForm(),
        document_form=DocumentDecisionForm(),
        reviewers=queries.reviewers(),
        claim_problem=claim_problem,
        mine=application.is_claimed_by(current_user),
        target=timedelta(hours=queries.target_hours()),
        now=utcnow(),
    )


def _back(application_id: int):
    return redirect(url_for(".review_page", application_id=application_id))


@bp.post("/<int:application_id>/decide")
@roles_required(*REVIEWER_ROLES)
def decide(application_id: int):
    """Approve, reject (reason) or request information (message); an unknown decision is a 400."""
    form = require_valid(DecisionForm())
    with service_errors() as outcome:
        review.decide_application(application_id, current_user, form.decision.data, form.reason.data or "")
    if outcome.failed:
        return _back(application_id)
    label = DECISION_LABELS[form.decision.data]
    flash(f"{label}: application #{application_id}. The applicant was notified.", "success")
    _prev, next_id = queries.neighbours(db.session.get(CoachApplication, application_id))
    if next_id:
        return redirect(url_for(".review_page", application_id=next_id))
    return redirect(url_for(".queue"))


@bp.post("/<int:application_id>/reopen")
@roles_required(*REVIEWER_ROLES)
def reopen(application_id: int):
    """Send a decided application back to the queue, with a reason."""
    form = require_valid(ReopenForm())
    with service_errors():
        review.reopen_application(application_id, current_user, form.reason.data or "")
        flash("Reopened: the application is back in the queue.", "success")
    return _back(application_id)


@bp.post("/<int:application_id>/checks/retry")
@roles_required(*REVIEWER_ROLES)
def retry_checks(application_id: int):
    """Run the certificate checks again after their job failed to run."""
    db.get_or_404(CoachApplication, application_id)
    form = require_valid(RetryChecksForm())
    with service_errors():
        review.retry_checks(application_id, current_user)
        flash(f"Checks of application #{application_id} queued again.", "success")
    if form.back.data == "queue":
        return redirect(url_for(".queue"))
    return _back(application_id)


@bp.post("/<int:application_id>/claim")
@roles_required(*REVIEWER_ROLES)
def claim(application_id: int):
    """Take (or extend) the claim."""
    require_confirm_form()
    with service_errors():
        claims.claim_application(application_id, current_user)
    return _back(application_id)


@bp.post("/<int:application_id>/release")
@roles_required(*REVIEWER_ROLES)
def release(application_id: int):
    """Give the item back to the queue without deciding (also sent when the reviewer leaves the page)."""
    form = require_valid(ReleaseForm())
    claims.release_claim(application_id, current_user)
    if form.beacon.data:
        return Response(status=204)
    flash(f"Released application #{application_id}.", "info")
    return redirect(url_for(".queue"))


@bp.post("/<int:application_id>/reassign")
@roles_required(*REVIEWER_ROLES)
def reassign(application_id: int):
    """Hand the claim to another reviewer."""
    form = require_valid(ReassignForm())
    with service_errors():
        claims.reassign_claim(application_id, current_user, form.assignee_id.data or 0)
        flash("Reassigned.", "success")
    return _back(application_id)


@bp.post("/<int:application_id>/note")
@roles_required(*REVIEWER_ROLES)
def note(application_id: int):
    """Add a staff-only note."""
    form = require_valid(NoteForm())
    with service_errors():
        review.add_note(application_id, current_user, form.note.data or "")
    return _back(application_id)


@bp.post("/documents/<int:document_id>/decide")
@roles_required(*REVIEWER_ROLES)
def document_decision(document_id: int):
    """Accept one document or ask for a re-upload with a reason."""
    doc = db.get_or_404(ApplicationDocument, document_id)
    form = require_valid(DocumentDecisionForm())
    with service_errors():
        review.decide_document(document_id, current_user, form.decision.data or "", form.reason.data or "")
    return _back(doc.application_id)


@bp.get("/documents/<int:document_id>/preview")
@roles_required(*REVIEWER_ROLES)
def preview(document_id: int):
    """The first-page preview PNG, shown inline on the review page."""
    doc = db.get_or_404(ApplicationDocument, document_id)
    if not doc.preview_key:
        abort(404)
    return Response(
        storage().get(doc.preview_key),
        mimetype="image/png",
        headers={"Cache-Control": "private, max-age=300", "Content-Disposition": "inline"},
    )


@bp.get("/documents/<int:document_id>/download")
@roles_required(*REVIEWER_ROLES)
def download(document_id: int):
    """The file as an attachment: the flattened copy when the original has active content (?original=1
    for the original itself), else the original; a short-lived presigned URL on S3."""
    doc = db.get_or_404(ApplicationDocument, document_id)
    key, name = doc.storage_key, doc.original_filename
    if doc.safe_copy_key and request.args.get("original") != "1":
        key, name = doc.safe_copy_key, f"{name.rsplit('.', 1)[0]}-flattened.pdf"
    url = storage().download_url(key, name)
    if url:
        return redirect(url)
    response = send_file(
        io.BytesIO(storage().get(key)),
        mimetype="application/pdf" if key == doc.safe_copy_key else doc.content_type,
        as_attachment=True,
        download_name=name,
        max_age=0,
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/templates", methods=["GET", "POST"])
@roles_required(*REVIEWER_ROLES)
def rejection_templates():
    """List, add and edit the rejection templates reviewers start from.

    A refused save shows the page again with the error beside the field and what was typed kept
    (400, or 409 for a title in use); a save with nothing typed is only told so (a flash).
    """
    posted, status = None, 200
    if request.method == "POST":
        posted = require_valid(RejectionTemplateForm())
        with service_errors(posted) as outcome:
            review.save_rejection_template(
                current_user, posted.template_id.data, posted.title.data or "", posted.body.data or ""
            )
            flash("Template saved.", "success")
        if not outcome.failed or posted.is_blank():
            return redirect(url_for(".rejection_templates"))
        status = outcome.status
    templates = queries.rejection_templates()
    new_form, edit_forms = _template_forms(templates, posted)
    return (
        render_template(
            "verification/staff_templates.html", templates=templates, new_form=new_form, edit_forms=edit_forms
        ),
        status,
    )


def _template_forms(templates, posted: RejectionTemplateForm | None):
    """The New form and one edit form per template; the one just refused keeps what was typed."""
    ids = {t.id for t in templates}
    kept = posted.template_id.data if posted is not None else None
    new_form = posted if posted is not None and kept not in ids else RejectionTemplateForm(formdata=None)
    new_form.place("new")
    edit_forms = []
    for t in templates:
        if kept == t.id:
            form = posted
        else:
            form = RejectionTemplateForm(formdata=None, data={"template_id": t.id, "title": t.title, "body": t.body})
        edit_forms.append((t, form.place(f"t{t.id}")))
    return new_form, edit_forms
