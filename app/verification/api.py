"""JSON API of coach applications: apply (multipart), read with history, decide (staff)."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request
from flask_login import current_user

from app.api.spec import body, form_fields, operation
from app.core.errors import NotFound
from app.core.security import login_required, roles_required
from app.core.uploads import upload_from_request
from app.extensions import db
from app.verification import queries, review, services
from app.verification.models import REVIEWER_ROLES, CoachApplication
from app.verification.schemas import Application, ApplicationOut, Verdict

bp = Blueprint("verification_api", __name__, url_prefix="/api")


def application_json(application: CoachApplication, *, staff: bool = False) -> dict:
    """The application's id, status, check results and history (staff also see staff-only events)."""
    checks = queries.checks_of(application)
    events = queries.history(application, staff=staff)
    return {
        "id": application.id,
        "status": application.status.value,
        "checks_state": application.checks_status(stalled_after=current_app.config["JOB_TIMEOUT"]),
        "checks": [{"name": c.name, "result": c.result.value, "message": c.message} for c in checks],
        "history": [{"kind": e.kind, "message": e.message, "at": e.created_at.isoformat()} for e in events],
    }


def _raw_form() -> dict:
    raw = request.form.to_dict()
    for name in ("specializations", "languages"):
        raw[name] = request.form.getlist(name)
    return raw


@bp.post("/coaches/apply")
@login_required
@operation(
    "Apply to become a coach (multipart/form-data)", form=Application, resp={201: ApplicationOut, 400: None, 409: None}
)
def apply():
    """Validate, store and submit an application in one request; checks run as a job."""
    form_fields()
    application = services.create_application(current_user, _raw_form(), upload_from_request("certificate"))
    db.session.expire_all()
    application = db.session.get(CoachApplication, application.id)
    return jsonify(application_json(application)), 201


@bp.get("/coaches/applications/<int:application_id>")
@login_required
@operation(
    "An application with its checks and history (the applicant or verification staff)",
    resp={200: ApplicationOut, 404: None},
)
def get_application(application_id: int):
    """The applicant sees their own; verification staff see any (with staff-only history)."""
    application = db.session.get(CoachApplication, application_id)
    if application is None or not application.is_visible_to(current_user):
        raise NotFound("No such application.")
    return jsonify(application_json(application, staff=current_user.has_role(*REVIEWER_ROLES)))


@bp.put("/coaches/<int:application_id>/verify")
@roles_required(*REVIEWER_ROLES)
@operation(
    "Decide on an application: approve, reject or request information",
    json=Verdict,
    resp={200: ApplicationOut, 400: None, 403: None, 404: None, 409: None},
)
def verify(application_id: int):
    """200 with the new status; 409 when another reviewer holds it or it was already decided."""
    data = body()
    application = review.decide_application(application_id, current_user, data.decision, data.reason or "")
    return jsonify(application_json(application, staff=True))
