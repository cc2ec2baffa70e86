"""Account endpoints of the API."""

from __future__ import annotations

from flask import jsonify
from flask_login import current_user
from pydantic import BaseModel

from app.api import bp
from app.api.spec import operation
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


class MeOut(BaseModel):
    """The authenticated user's public fields."""

    id: int
    email: str
    name: str
    roles: list[str]
    timezone: str


@bp.get("/me")
@login_required
@operation("The authenticated user", resp={200: MeOut})
def me():
    """The authenticated user."""
    return jsonify(user_json(current_user))
