"""Account endpoints of the API."""

from __future__ import annotations

from flask import jsonify
from flask_login import current_user

from app.api import bp
from app.api.openapi import document
from app.core.security import login_required


def user_json(user) -> dict:
    """The public fields of a user."""
    return {
        "id": user.id,
        "email": user.email,
        "name": user.full_name,
        "roles": sorted(r.value for r in user.roles),
        "timezone": user.timezone,
    }


@bp.get("/me")
@document(
    "The authenticated user",
    responses={
        "200": {
            "type": "object",
            "required": ["id", "email", "roles"],
            "properties": {
                "id": {"type": "integer"},
                "email": {"type": "string"},
                "name": {"type": "string"},
                "roles": {"type": "array", "items": {"type": "string"}},
                "timezone": {"type": "string"},
            },
        }
    },
)
@login_required
def me():
    """The authenticated user."""
    return jsonify(user_json(current_user))
