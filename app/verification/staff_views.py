"""The verification console: the queue, the review page, decisions, claims, documents, templates."""

from __future__ import annotations

import io
from datetime import timedelta

import sqlalchemy as sa
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from app.accounts.models import Role
from app.core.db import utcnow
from app.core.errors import Conflict
from app.core.security import roles_required
from app.core.storage import storage
from app.core.view_errors import service_errors
from app.extensions import db
from app.staff.risk import person_facts
from app.verification import queries, review, services
from app.verification.checks import CHECK_TITLES
from app.verification.forms import DecisionForm, NoteForm
from app.verification.models import (
    ApplicationDocument,
    ApplicationEvent,
    CertificateCheck,
    CoachApplication,
    RejectionTemplate,
)

bp = Blueprint("verification_staff", __name__, url_prefix="/staff/verification", template_folder="templates")


@bp.app_template_filter("capped")
def capped(n: int) -> str:
    """A count from queries.filtered_count / status_counts: '10,000+' past the cap."""
    return f"{queries.COUNT_CAP:,}+" if n > queries.COUNT_CAP else f"{n:,}"


REVIEWERS = (Role.VERIFIER, Role.ADMIN)
PAGE_SIZE = 50


@bp.get("/")
@roles_required(*REVIEWERS)
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
@roles_required(*REVIEWERS)
def review_page(application_id: int):
    """Everything about one application; opening it claims it for the reviewer."""
    application = db.get_or_404(CoachApplication, application_id)
    claim_problem = None
    if application.status in review.CLAIMABLE:
        try:
            application = review.claim_application(application_id, current_user)
        except Conflict as exc:
            claim_problem = exc.message
            application = db.session.get(CoachApplication, application_id, populate_existing=True)
    events = db.session.scalars(
        sa.select(ApplicationEvent)
        .where(ApplicationEvent.application_id == application_id)
        .order_by(ApplicationEvent.id)
    ).all()
    checks = db.session.scalars(
        sa.select(CertificateCheck)
        .where(CertificateCheck.application_id == application_id)
        .order_by(CertificateCheck.id)
    ).all()
    prev_id, next_id = queries.neighbours(application)
    templates = db.session.scalars(sa.select(RejectionTemplate).order_by(RejectionTemplate.title)).all()
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
        reviewers=queries.reviewers(),
        claim_problem=claim_problem,
        mine=application.claimed_by_id == current_user.id and application.is_claimed(),
        target=timedelta(hours=queries.target_hours()),
        now=utcnow(),
    )


def _back(application_id: int):
    return redirect(url_for(".review_page", application_id=application_id))


@bp.post("/<int:application_id>/decide")
@roles_required(*REVIEWERS)
def decide(application_id: int):
    """Approve, reject (reason) or request information (message)."""
    decision = request.form.get("decision", "")
    reason = request.form.get("reason", "")
    actions = {
        "approve": (lambda: review.approve_application(application_id, current_user, reason), "Approved"),
        "reject": (lambda: review.reject_application(application_id, current_user, reason), "Rejected"),
        "request_info": (
            lambda: review.request_information(application_id, current_user, reason),
            "Information requested",
        ),
    }
    if decision not in actions:
        abort(400)
    action, label = actions[decision]
    with service_errors() as outcome:
        action()
    if outcome.failed:
        return _back(application_id)
    flash(f"{label}: application #{application_id}. The applicant was notified.", "success")
    _prev, next_id = queries.neighbours(db.session.get(CoachApplication, application_id))
    if next_id:
        return redirect(url_for(".review_page", application_id=next_id))
    return redirect(url_for(".queue"))


@bp.post("/<int:application_id>/reopen")
@roles_required(*REVIEWERS)
def reopen(application_id: int):
    """Send a decided application back to the queue, with a reason."""
    with service_errors():
        review.reopen_application(application_id, current_user, request.form.get("reason", ""))
        flash("Reopened: the application is back in the queue.", "success")
    return _back(application_id)


@bp.post("/<int:application_id>/checks/retry")
@roles_required(*REVIEWERS)
def retry_checks(application_id: int):
    """Run the certificate checks again after their job failed to run."""
    db.get_or_404(CoachApplication, application_id)
    with service_errors():
        review.retry_checks(application_id, current_user)
        flash(f"Checks of application #{application_id} queued again.", "success")
    if request.form.get("back") == "queue":
        return redirect(url_for(".queue"))
    return _back(application_id)


@bp.post("/<int:application_id>/claim")
@roles_required(*REVIEWERS)
def claim(application_id: int):
    """Take (or extend) the claim."""
    with service_errors():
        review.claim_application(application_id, current_user)
    return _back(application_id)


@bp.post("/<int:application_id>/release")
@roles_required(*REVIEWERS)
def release(application_id: int):
    """Give the item back to the queue without deciding (also sent when the reviewer leaves the page)."""
    review.release_claim(application_id, current_user)
    if request.form.get("beacon"):
        return Response(status=204)
    flash(f"Released application #{application_id}.", "info")
    return redirect(url_for(".queue"))


@bp.post("/<int:application_id>/reassign")
@roles_required(*REVIEWERS)
def reassign(application_id: int):
    """Hand the claim to another reviewer."""
    with service_errors():
        review.reassign_claim(application_id, current_user, request.form.get("assignee_id", type=int) or 0)
        flash("Reassigned.", "success")
    return _back(application_id)


@bp.post("/<int:application_id>/note")
@roles_required(*REVIEWERS)
def note(application_id: int):
    """Add a staff-only note."""
    with service_errors():
        review.add_note(application_id, current_user, request.form.get("note", ""))
    return _back(application_id)


@bp.post("/documents/<int:document_id>/decide")
@roles_required(*REVIEWERS)
def document_decision(document_id: int):
    """Accept one document or ask for a re-upload with a reason."""
    doc = db.get_or_404(ApplicationDocument, document_id)
    with service_errors():
        review.decide_document(
            document_id, current_user, request.form.get("decision", ""), request.form.get("reason", "")
        )
    return _back(doc.application_id)


@bp.get("/documents/<int:document_id>/preview")
@roles_required(*REVIEWERS)
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
@roles_required(*REVIEWERS)
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
@roles_required(*REVIEWERS)
def rejection_templates():
    """List, add and edit the rejection templates reviewers start from."""
    if request.method == "POST":
        with service_errors():
            review.save_rejection_template(
                current_user,
                request.form.get("template_id", type=int),
                request.form.get("title", ""),
                request.form.get("body", ""),
            )
            flash("Template saved.", "success")
        return redirect(url_for(".rejection_templates"))
    templates = db.session.scalars(sa.select(RejectionTemplate).order_by(RejectionTemplate.title)).all()
    return render_template("verification/staff_templates.html", templates=templates)
