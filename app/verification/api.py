"""JSON API of coach applications: apply (multipart), read with history, decide (staff)."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request
from flask_login import current_user

from app.api.bodies import json_object
from app.api.openapi import document
from app.core.errors import NotFound, ValidationFailed
from app.core.security import login_required, roles_required
from app.core.uploads import upload_from_request
from app.extensions import db
from app.verification import queries, review, services
from app.verification.models import REVIEWER_ROLES, CoachApplication

bp = Blueprint("verification_api", __name__, url_prefix="/api")

CHECK_SCHEMA = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "result": {"type": "string", "enum": ["pass", "warn", "fail"]},
        "message": {"type": "string"},
    },
}
APPLICATION_SCHEMA = {
    "type": "object",
    "required": ["id", "status", "checks"],
    "properties": {
        "id": {"type": "integer"},
        "status": {"type": "string", "enum": ["draft", "submitted", "info_requested", "approved", "rejected"]},
        "checks_state": {
            "type": "string",
            "enum": ["pending", "running", "done", "failed to run"],
            "description": "the checks job: results are final only when done",
        },
        "checks": {"type": "array", "items": CHECK_SCHEMA},
        "history": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "kind": {"type": "string"},
                    "message": {"type": "string"},
                    "at": {"type": "string", "format": "date-time"},
                },
            },
        },
    },
}
APPLY_SCHEMA = {
    "type": "object",
    "required": [
        "first_name",
        "last_name",
        "phone",
        "ipec_number",
        "certification_level",
        "certification_date",
        "certificate",
        "years_experience",
        "specializations",
        "languages",
        "hourly_rate",
        "currency",
    ],
    "properties": {
        "first_name": {"type": "string"},
        "last_name": {"type": "string"},
        "phone": {"type": "string"},
        "ipec_number": {"type": "string", "example": "IPEC-123456"},
        "certification_level": {"type": "string", "enum": ["associate", "professional", "master"]},
        "certification_date": {"type": "string", "format": "date"},
        "certificate": {"type": "string", "format": "binary", "description": "PDF, PNG or JPEG, at most 10 MB"},
        "years_experience": {"type": "integer"},
        "specializations": {"type": "array", "items": {"type": "string"}},
        "languages": {"type": "array", "items": {"type": "string"}},
        "hourly_rate": {"type": "integer", "description": "minor units, e.g. 9000 = 90.00"},
        "currency": {"type": "string", "example": "EUR"},
        "bio": {"type": "string"},
    },
}
VERIFY_SCHEMA = {
    "type": "object",
    "required": ["decision"],
    "properties": {
        "decision": {"type": "string", "enum": ["approve", "reject", "request_info"]},
        "reason": {"type": "string", "description": "required to reject or request information"},
    },
}


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
@document(
    "Apply to become a coach (multipart/form-data)",
    request=APPLY_SCHEMA,
    content_type="multipart/form-data",
    responses={"201": APPLICATION_SCHEMA, "400": None, "409": None},
)
@login_required
def apply():
    """Validate, store and submit an application in one request; checks run as a job."""
    application = services.create_application(current_user, _raw_form(), upload_from_request("certificate"))
    db.session.expire_all()
    application = db.session.get(CoachApplication, application.id)
    return jsonify(application_json(application)), 201


@bp.get("/coaches/applications/<int:application_id>")
@document(
    "An application with its checks and history (the applicant or verification staff)",
    responses={"200": APPLICATION_SCHEMA, "404": None},
)
@login_required
def get_application(application_id: int):
    """The applicant sees their own; verification staff see any (with staff-only history)."""
    application = db.session.get(CoachApplication, application_id)
    if application is None or not application.is_visible_to(current_user):
        raise NotFound("No such application.")
    return jsonify(application_json(application, staff=current_user.has_role(*REVIEWER_ROLES)))


@bp.put("/coaches/<int:application_id>/verify")
@document(
    "Decide on an application: approve, reject or request information",
    request=VERIFY_SCHEMA,
    responses={"200": APPLICATION_SCHEMA, "400": None, "403": None, "404": None, "409": None},
)
@roles_required(*REVIEWER_ROLES)
def verify(application_id: int):
    """200 with the new status; 409 when another reviewer holds it or it was already decided."""
    body = json_object(optional=True)
    decision, reason = body.get("decision"), body.get("reason") or ""
    if not isinstance(reason, str):
        raise ValidationFailed("reason must be text.", fields={"reason": "Must be a string."})
    application = review.decide_application(application_id, current_user, decision, reason)
    return jsonify(application_json(application, staff=True))
