"""Web Push, an opt-in channel of the notification center: a browser subscribes (VAPID), each new or
updated notification of its user is pushed to it, and a subscription its push service no longer
knows (404, 410) is removed.

The server only ever posts to the push services named in PUSH_SERVICES, so a subscription cannot
make it call an address of the user's choosing.
"""

from __future__ import annotations

import json
import logging
from fnmatch import fnmatch
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app

from app.accounts.models import User
from app.core import audit
from app.core.db import utcnow
from app.core.effects import on_commit, transaction
from app.core.errors import NotFound, ValidationFailed
from app.core.jobs import jobs
from app.extensions import db
from app.notifications.models import Notification, PushSubscription

log = logging.getLogger(__name__)
GONE = (404, 410)  # the push service dropped the subscription: so do we
TTL_SECONDS = 24 * 3600  # a phone that is off for a day still gets it when back


def new_vapid_keys() -> tuple[str, str]:
    """A VAPID key pair as base64url: (public: the uncompressed P-256 point, private: the raw 32 bytes)."""
    import base64

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    public = key.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    private = key.private_numbers().private_value.to_bytes(32, "big")
    return tuple(base64.urlsafe_b64encode(b).rstrip(b"=").decode() for b in (public, private))


def is_enabled() -> bool:
    """Web Push is offered when the VAPID keys are configured."""
    return bool(current_app.config.get("VAPID_PRIVATE_KEY") and current_app.config.get("VAPID_PUBLIC_KEY"))


def _allowed_endpoint(endpoint: str) -> bool:
    parts = urlsplit(endpoint)
    origin = f"{parts.scheme}://{parts.netloc}"
    return bool(parts.hostname) and any(fnmatch(origin, p) for p in current_app.config["PUSH_SERVICES"])


def _text(value, field: str, limit: int) -> str:
    if not isinstance(value, str) or not value or len(value) > limit:
        raise ValidationFailed(f"{field} is missing or too long.", fields={field: f"1 to {limit} characters"})
    return value


def subscribe(user: User, body: dict) -> tuple[PushSubscription, bool]:
    """Save the browser's PushSubscription (its JSON); the same endpoint again is updated, not added."""
    if not is_enabled():
        raise NotFound("Push notifications are not set up on this server.")
    endpoint = _text(body.get("endpoint"), "endpoint", 1000)
    keys = body.get("keys") if isinstance(body.get("keys"), dict) else {}
    p256dh, auth = _text(keys.get("p256dh"), "keys.p256dh", 200), _text(keys.get("auth"), "keys.auth", 100)
    if not _allowed_endpoint(endpoint):
        raise ValidationFailed(
            "This push service is not one we send to.", fields={"endpoint": "not a known push service"}
        )
    with transaction():
        row = db.session.scalar(
            sa.select(PushSubscription).where(PushSubscription.endpoint == endpoint).with_for_update()
        )
        created = row is None
        if created:
            row = PushSubscription(endpoint=endpoint, user_id=user.id, p256dh=p256dh, auth=auth)
            db.session.add(row)
        else:  # the browser re-subscribed (or another account signed in on it): it is now this user's
            row.user_id, row.p256dh, row.auth, row.last_error = user.id, p256dh, auth, ""
        db.session.flush()
        audit.record(user, "push.subscribed", row, after={"created": created})
    return row, created


def unsubscribe(user: User, subscription_id: int) -> None:
    """The user turns push off on a device; NotFound for anybody else's subscription."""
    with transaction():
        row = db.session.get(PushSubscription, subscription_id, with_for_update=True)
        if row is None or row.user_id != user.id:
            raise NotFound("No such push subscription.")
        audit.record(user, "push.unsubscribed", row)
        db.session.delete(row)


def schedule(notification: Notification) -> None:
    """After the commit, push this notification to its user's devices (nothing if none subscribed)."""
    on_commit(_enqueue, notification.id, notification.user_id)


def _enqueue(notification_id: int, user_id: int) -> None:
    if not is_enabled():
        return  # asked first: without VAPID keys a send reads nothing after its commit
    has_device = db.session.scalar(sa.select(PushSubscription.id).where(PushSubscription.user_id == user_id).limit(1))
    if has_device is None:
        return
    try:
        jobs().enqueue("workers.notifications.push_notification", notification_id, queue="push")
    except Exception:  # noqa: BLE001 - Redis down: the bell and the mail still tell the user
        log.warning("could not queue the push of notification %s", notification_id)


def payload(notification: Notification) -> dict:
    """What the service worker shows: one notification per subject on the device (`tag`)."""
    title = notification.title if notification.count == 1 else f"{notification.title} ({notification.count})"
    return {"title": title, "body": notification.body, "link": notification.link, "tag": notification.subject_key}


def _send_one(row: PushSubscription, data: str) -> int:
    """POST the encrypted payload to one subscription's push service; its HTTP status (0: unreachable)."""
    from pywebpush import WebPushException, webpush

    config = current_app.config
    try:
        response = webpush(
            {"endpoint": row.endpoint, "keys": {"p256dh": row.p256dh, "auth": row.auth}},
            data,
            vapid_private_key=config["VAPID_PRIVATE_KEY"],
            vapid_claims={"sub": config["VAPID_SUBJECT"]},
            ttl=TTL_SECONDS,
            timeout=10,
        )
        return response.status_code
    except WebPushException as exc:
        return exc.response.status_code if exc.response is not None else 0


def push_notification(notification_id: int) -> dict[str, int]:
    """The job: push one notification to each of its user's subscriptions; counts by outcome.

    Safe to retry (a device shows one notification per tag); a failure other than 404/410 is kept
    on the subscription and not retried."""
    notification = db.session.get(Notification, notification_id)
    counts = {"sent": 0, "removed": 0, "failed": 0}
    if notification is None or not notification.is_unread or not is_enabled():
        return counts
    data = json.dumps(payload(notification))
    subscriptions = db.session.scalars(
        sa.select(PushSubscription).where(PushSubscription.user_id == notification.user_id)
    ).all()
    with transaction():
        for row in subscriptions:
            status = _send_one(row, data)
            if 200 <= status < 300:
                row.last_sent_at, row.last_error = utcnow(), ""
                counts["sent"] += 1
            elif status in GONE:
                log.info("push subscription %s is gone (%s): removed", row.id, status)
                audit.record(None, "push.expired", row, after={"status": status})
                # A statement, not session.delete: a job pushing to the same browser at once may
                # have removed it already, and that must not fail (and retry) this one.
                db.session.execute(sa.delete(PushSubscription).where(PushSubscription.id == row.id))
                db.session.expunge(row)
                counts["removed"] += 1
            else:
                row.last_error = f"{utcnow().isoformat()}: push service answered {status or 'nothing'}"
                counts["failed"] += 1
    return counts
