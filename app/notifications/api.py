"""GET /api/notifications (the latest and the unread count, the bell refetches it); Web Push subscriptions."""

from __future__ import annotations

from flask import jsonify
from flask_login import current_user

from app.api import bp
from app.api.bodies import json_object
from app.api.openapi import document
from app.core.security import login_required
from app.notifications import push, services
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


PUSH_SUBSCRIPTION = {
    "type": "object",
    "required": ["id", "endpoint", "created_at"],
    "properties": {
        "id": {"type": "integer"},
        "endpoint": {"type": "string"},
        "created_at": {"type": "string", "format": "date-time"},
    },
}


@bp.post("/push/subscriptions")
@document(
    "Turn Web Push on for this browser: its PushSubscription as JSON (endpoint, keys.p256dh, keys.auth);"
    " the same endpoint again updates it (200)",
    request={
        "type": "object",
        "required": ["endpoint", "keys"],
        "properties": {
            "endpoint": {"type": "string", "maxLength": 1000},
            "keys": {
                "type": "object",
                "required": ["p256dh", "auth"],
                "properties": {"p256dh": {"type": "string"}, "auth": {"type": "string"}},
            },
        },
    },
    responses={"201": PUSH_SUBSCRIPTION, "200": PUSH_SUBSCRIPTION},
)
@login_required
def push_subscribe():
    """201 with a new subscription, 200 when the browser was subscribed already; 404 when push is off."""
    row, created = push.subscribe(current_user, json_object())
    body = {"id": row.id, "endpoint": row.endpoint, "created_at": row.created_at.isoformat()}
    return jsonify(body), 201 if created else 200


@bp.delete("/push/subscriptions/<int:subscription_id>")
@document("Turn Web Push off for one of your browsers", responses={"204": None})
@login_required
def push_unsubscribe(subscription_id: int):
    """204; 404 for a subscription that is not yours."""
    push.unsubscribe(current_user, subscription_id)
    return "", 204
