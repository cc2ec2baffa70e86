"""The browser's own session: how long it has left (read by the expiry warning) and "stay signed in"."""

from __future__ import annotations

from flask import Blueprint, current_app, g, jsonify

from app.accounts.session_store import mark_session_active, session_remaining
from app.core.security import login_required

bp = Blueprint("sessions", __name__)


def session_expiry() -> dict[str, int] | None:
    """What the staff layout hands the expiry warning: seconds left and when to warn."""
    remaining = session_remaining()
    if remaining is None:
        return None
    return remaining | {"warn_seconds": current_app.config["SESSION_WARNING_SECONDS"]}


@bp.get("/session")
@login_required
def status():
    """Seconds left before this session ends; asking does not count as activity."""
    g.session_no_touch = True
    return jsonify(session_expiry())


@bp.post("/session/touch")
@login_required
def touch():
    """Stay signed in: counts as activity, so the idle limit starts again (the absolute one does not move)."""
    mark_session_active()
    return jsonify(session_expiry())
