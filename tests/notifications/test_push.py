"""Web Push: a browser subscribes, a new notification reaches it encrypted (VAPID, aes128gcm) through
its push service (a local HTTP server stands in), a subscription the service no longer knows
(404, 410) is removed, and only push services named in PUSH_SERVICES are ever called."""

from __future__ import annotations

import base64
import json
import os

import http_ece
import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from app.core.models import AuditLog
from app.notifications.models import PushSubscription
from app.notifications.push import new_vapid_keys, push_notification
from tests.factories import UserFactory
from tests.messaging.helpers import Api, confirmed_session


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Browser:
    """A subscriber's key pair and auth secret, as a browser's PushManager makes them."""

    def __init__(self, endpoint: str):
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.auth = os.urandom(16)
        public = self.key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        self.subscription = {"endpoint": endpoint, "keys": {"p256dh": _b64(public), "auth": _b64(self.auth)}}

    def read(self, body: bytes) -> dict:
        """Decrypt what the push service was handed, as the browser would."""
        return json.loads(http_ece.decrypt(body, private_key=self.key, auth_secret=self.auth, version="aes128gcm"))


@pytest.fixture
def push_on(app, monkeypatch, httpserver):
    public, private = new_vapid_keys()
    monkeypatch.setitem(app.config, "VAPID_PUBLIC_KEY", public)
    monkeypatch.setitem(app.config, "VAPID_PRIVATE_KEY", private)
    monkeypatch.setitem(app.config, "PUSH_SERVICES", [httpserver.url_for("/").rstrip("/")])
    return httpserver


def _answer(httpserver, path: str, status: int) -> None:
    httpserver.expect_request(path, method="POST").respond_with_data("", status=status)


def test_a_new_message_is_pushed_to_the_subscribed_browser(client, push_on):
    booking, thread = confirmed_session()
    coach = Api(client, booking.coach.user)
    browser = Browser(push_on.url_for("/push/coach-laptop"))
    first = coach.post("/api/push/subscriptions", browser.subscription)
    assert first.status_code == 201 and set(first.get_json()) == {"id", "endpoint", "created_at"}
    assert coach.post("/api/push/subscriptions", browser.subscription).status_code == 200, "the same browser again"
    assert PushSubscription.query.count() == 1
    _answer(push_on, "/push/coach-laptop", 201)

    sent = Api(client, booking.client).send(thread.id, "Running 5 minutes late", "late-1")
    assert sent.status_code == 201
    (request, response), *_ = push_on.log
    assert response.status_code == 201
    assert request.headers["Content-Encoding"] == "aes128gcm"
    assert request.headers["TTL"] == "86400"
    assert request.headers["Authorization"].startswith("vapid t=")
    shown = browser.read(request.get_data())
    assert shown == {
        "title": f"New message from {booking.client.full_name}",
        "body": "Running 5 minutes late",
        "link": f"/messages/{thread.id}",
        "tag": f"thread:{thread.id}",
    }
    assert PushSubscription.query.one().last_sent_at is not None


@pytest.mark.parametrize("status", [404, 410])
def test_a_subscription_its_push_service_no_longer_knows_is_removed(client, push_on, status):
    booking, thread = confirmed_session()
    browser = Browser(push_on.url_for("/push/old-phone"))
    Api(client, booking.coach.user).post("/api/push/subscriptions", browser.subscription)
    _answer(push_on, "/push/old-phone", status)
    Api(client, booking.client).send(thread.id, "Hello?", "h-1")
    assert len(push_on.log) == 1
    assert PushSubscription.query.count() == 0
    assert AuditLog.query.filter_by(action="push.expired").one().after == {"status": status}


def test_a_failing_push_service_keeps_the_subscription_and_says_why(client, push_on):
    booking, thread = confirmed_session()
    Api(client, booking.coach.user).post("/api/push/subscriptions", Browser(push_on.url_for("/push/busy")).subscription)
    _answer(push_on, "/push/busy", 503)
    Api(client, booking.client).send(thread.id, "Hello", "h-1")
    row = PushSubscription.query.one()
    assert row.last_error.endswith("push service answered 503") and row.last_sent_at is None


def test_a_read_notification_is_not_pushed(client, push_on):
    booking, thread = confirmed_session()
    coach = Api(client, booking.coach.user)
    coach.post("/api/push/subscriptions", Browser(push_on.url_for("/push/tablet")).subscription)
    _answer(push_on, "/push/tablet", 201)
    Api(client, booking.client).send(thread.id, "Hello", "h-1")
    coach.post(f"/api/messages/threads/{thread.id}/read")
    from app.notifications.models import Notification

    note = Notification.query.filter_by(user_id=booking.coach.user_id, subject_key=f"thread:{thread.id}").one()
    assert push_notification(note.id) == {"sent": 0, "removed": 0, "failed": 0}, "a late retry of a read one"
    assert len(push_on.log) == 1


def test_only_known_push_services_and_only_the_owner_unsubscribes(client, push_on):
    owner, stranger = Api(client, UserFactory()), Api(client, UserFactory())
    elsewhere = owner.post("/api/push/subscriptions", Browser("http://10.0.0.5:8080/admin").subscription)
    assert elsewhere.status_code == 400
    assert elsewhere.get_json()["error"]["fields"] == {"endpoint": "not a known push service"}
    row = owner.post("/api/push/subscriptions", Browser(push_on.url_for("/push/mine")).subscription).get_json()
    assert stranger.client.delete(f"/api/push/subscriptions/{row['id']}", headers=stranger.headers).status_code == 404
    assert PushSubscription.query.count() == 1
    assert owner.client.delete(f"/api/push/subscriptions/{row['id']}", headers=owner.headers).status_code == 204
    assert PushSubscription.query.count() == 0


def test_push_is_offered_only_with_vapid_keys(client, login_as, app, monkeypatch):
    user = UserFactory()
    api = Api(client, user)
    assert api.post("/api/push/subscriptions", Browser("https://fcm.googleapis.com/x").subscription).status_code == 404
    login_as(user)
    page = client.get("/notifications")
    assert page.status_code == 200 and 'id="push"' not in page.get_data(as_text=True)
    public, private = new_vapid_keys()
    monkeypatch.setitem(app.config, "VAPID_PUBLIC_KEY", public)
    monkeypatch.setitem(app.config, "VAPID_PRIVATE_KEY", private)
    html = client.get("/notifications").get_data(as_text=True)
    assert f'data-public-key="{public}"' in html and "Push notifications on this device" in html


def test_a_subscription_removed_meanwhile_by_another_push_does_not_fail_this_one(client, push_on, monkeypatch):
    from app.extensions import db
    from app.notifications import push
    from app.notifications.models import Notification

    booking, thread = confirmed_session()
    coach = Api(client, booking.coach.user)
    for name in ("phone", "laptop"):
        coach.post("/api/push/subscriptions", Browser(push_on.url_for(f"/push/{name}")).subscription)
    _answer(push_on, "/push/laptop", 201)
    Api(client, booking.client).send(thread.id, "Hello", "h-1")
    note = Notification.query.filter_by(user_id=booking.coach.user_id, subject_key=f"thread:{thread.id}").one()
    phone = PushSubscription.query.filter(PushSubscription.endpoint.endswith("/phone")).one()
    real_send = push._send_one

    def gone_meanwhile(row, data):
        if row.id == phone.id:  # another job's 410 removed it while this one was sending
            with db.engine.begin() as conn:
                conn.execute(sa.delete(PushSubscription).where(PushSubscription.id == row.id))
            return 410
        return real_send(row, data)

    monkeypatch.setattr(push, "_send_one", gone_meanwhile)
    assert push_notification(note.id) == {"sent": 1, "removed": 1, "failed": 0}
    assert [r.endpoint.rsplit("/", 1)[1] for r in PushSubscription.query] == ["laptop"]
