"""GET /api/notifications (the latest and the unread count, the bell refetches it); Web Push subscriptions."""

from __future__ import annotations

from flask import jsonify
from flask_login import current_user

from app.api import bp
from app.api.spec import body, operation
from app.core.security import login_required
from app.notifications import push, services
from app.notifications.queries import latest
from app.notifications.schemas import NotificationList, PushSubscriptionIn, PushSubscriptionOut


@bp.get("/notifications")
@login_required
@operation("Your latest 50 notifications (unread first) and how many are unread", resp={200: NotificationList})
def list_notifications():
    """The list the notification page shows, as JSON."""
    rows = latest(current_user.id)
    return jsonify(
        notifications=[services.notification_json(r) for r in rows], unread=services.unread_count(current_user.id)
    )


@bp.post("/push/subscriptions")
@login_required
@operation(
    "Turn Web Push on for this browser: its PushSubscription as JSON (endpoint, keys.p256dh, keys.auth);"
    " the same endpoint again updates it (200)",
    json=PushSubscriptionIn,
    resp={201: PushSubscriptionOut, 200: PushSubscriptionOut},
)
def push_subscribe():
    """201 with a new subscription, 200 when the browser was subscribed already; 404 when push is off."""
    row, created = push.subscribe(current_user, body().model_dump())
    answer = {"id": row.id, "endpoint": row.endpoint, "created_at": row.created_at.isoformat()}
    return jsonify(answer), 201 if created else 200


@bp.delete("/push/subscriptions/<int:subscription_id>")
@login_required
@operation("Turn Web Push off for one of your browsers", resp={204: None})
def push_unsubscribe(subscription_id: int):
    """204; 404 for a subscription that is not yours."""
    push.unsubscribe(current_user, subscription_id)
    return "", 204
