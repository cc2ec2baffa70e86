"""GET /api/notifications: the latest notifications and the unread count (the bell refetches it)."""

from __future__ import annotations

from flask import jsonify
from flask_login import current_user

from app.api import bp
from app.api.openapi import document
from app.core.security import login_required
from app.notifications import services
from app.notifications.queries import latest

NOTIFICATION = {
    "type": "object",
    "required": ["id", "kind", "title", "link", "count", "unread"],
    "properties": {
        "id": {"type": "integer"},
        "kind": {"type": "string"},
        "title": {"type": "string"},
        "body": {"type": "string"},
        "link": {"type": "string"},
        "count": {"type": "integer"},
        "updated_at": {"type": "string", "format": "date-time"},
        "unread": {"type": "boolean"},
    },
}


@bp.get("/notifications")
@document(
    "Your latest 50 notifications (unread first) and how many are unread",
    responses={
        "200": {
            "type": "object",
            "required": ["notifications", "unread"],
            "properties": {"notifications": {"type": "array", "items": NOTIFICATION}, "unread": {"type": "integer"}},
        }
    },
)
@login_required
def list_notifications():
    """The list the notification page shows, as JSON."""
    rows = latest(current_user.id)
    return jsonify(
        notifications=[services.notification_json(r) for r in rows], unread=services.unread_count(current_user.id)
    )
