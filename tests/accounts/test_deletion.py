"""Closing an account (personal data gone, bookings and payments kept under a tombstone person,
audited) and downloading one's own data as JSON."""

from __future__ import annotations

import json
from datetime import timedelta

from app.accounts.models import ApiToken, Role, User
from app.accounts.services import create_api_token
from app.booking.models import Booking, BookingStatus
from app.core.db import utcnow
from app.core.models import AuditLog
from app.extensions import db
from app.notifications.models import PushSubscription
from app.payments.models import Payment
from tests.accounts.flows import field_error, post_login
from tests.conftest import csrf_token_from
from tests.factories import PASSWORD, UserFactory
from tests.factories.booking import BookingFactory
from tests.factories.payments import PaidPaymentFactory


def _past(days: int = 3):
    return (utcnow() - timedelta(days=days)).replace(minute=0, second=0, microsecond=0)


def _close(client, email: str, password: str = PASSWORD):
    token = csrf_token_from(client, "/settings/data")
    return client.post("/settings/delete", data={"confirm_email": email, "password": password, "csrf_token": token})


def test_closing_the_account_keeps_the_books_under_a_tombstone(app, client):
    user = UserFactory(email="gone@example.org", first_name="Greta", phone="+49 170 000")
    payment = PaidPaymentFactory(booking__client=user)
    payment.booking.status = BookingStatus.COMPLETED
    db.session.commit()
    create_api_token(user, "script")
    db.session.add(
        PushSubscription(user_id=user.id, endpoint="https://fcm.googleapis.com/fcm/send/g1", p256dh="k", auth="a")
    )
    db.session.commit()
    phone = app.test_client()
    assert post_login(phone, user.email).status_code == 302
    assert post_login(client, user.email).status_code == 302

    resp = _close(client, "Gone@Example.org")
    assert resp.status_code == 302 and resp.location == "/"
    assert client.get("/api/me").status_code == 401 and phone.get("/api/me").status_code == 401
    row = db.session.get(User, user.id)
    assert (row.email, row.full_name, row.phone, row.password_hash) == (
        f"deleted-{user.id}@deleted.invalid",
        "Deleted user",
        None,
        None,
    )
    assert row.deleted_at is not None and not row.is_active
    assert Booking.query.one().client_id == user.id and Payment.query.one().amount == payment.amount  # the books stay
    assert ApiToken.query.count() == 0
    assert PushSubscription.query.count() == 0, "the browser's push endpoint is personal data too"
    assert AuditLog.query.filter_by(action="user.deleted", object_id=str(user.id)).one().after == {"tombstone": True}
    assert post_login(app.test_client(), "gone@example.org").status_code == 401
    assert User.query.filter_by(email="gone@example.org").count() == 0  # the address is free again


def test_a_wrong_address_or_password_closes_nothing(client, login_as):
    user = UserFactory(email="stay@example.org")
    login_as(user)
    resp = _close(client, "someone@example.org")
    assert resp.status_code == 400 and "exactly" in field_error(resp.get_data(as_text=True), "confirm_email")
    resp = _close(client, "stay@example.org", "not-my-password")
    assert resp.status_code == 400 and field_error(resp.get_data(as_text=True), "current_password") is None
    assert "not your current password" in resp.get_data(as_text=True)
    assert (
        db.session.get(User, user.id).email == "stay@example.org" and db.session.get(User, user.id).deleted_at is None
    )


def test_upcoming_sessions_are_cancelled_first(client, login_as):
    user = UserFactory(email="booked@example.org")
    BookingFactory(client=user, starts_at=utcnow().replace(minute=0, second=0, microsecond=0) + timedelta(days=4))
    login_as(user)
    assert "Cancel them first" in client.get("/settings/data").get_data(as_text=True)
    resp = _close(client, "booked@example.org")
    assert resp.status_code == 409 and db.session.get(User, user.id).deleted_at is None


def test_staff_and_coaches_ask_an_admin(client, login_as):
    coach = UserFactory(roles=[Role.COACH])
    login_as(coach)
    assert "closed by an admin" in client.get("/settings/data").get_data(as_text=True)
    assert _close(client, coach.email).status_code == 403


def test_the_download_holds_the_users_own_data_and_nobody_elses(client, login_as):
    user, other = UserFactory(email="me@example.org", timezone="Europe/Berlin"), UserFactory()
    mine = BookingFactory(client=user, starts_at=_past(), status=BookingStatus.COMPLETED)
    BookingFactory(client=other, starts_at=_past(5), status=BookingStatus.COMPLETED)
    login_as(user)
    resp = client.get("/settings/data/export.json")
    assert resp.status_code == 200 and resp.mimetype == "application/json"
    assert resp.headers["Content-Disposition"].startswith('attachment; filename="coach-connect-data-')
    assert "no-store" in resp.headers["Cache-Control"]
    data = json.loads(resp.get_data(as_text=True))
    assert data["account"]["email"] == "me@example.org" and data["account"]["timezone"] == "Europe/Berlin"
    assert [b["id"] for b in data["bookings"]] == [mine.id]
    assert other.email not in resp.get_data(as_text=True)


def test_the_download_lists_the_files_of_ones_messages_and_ones_push_devices(client, login_as):
    from tests.messaging.helpers import Api, confirmed_session

    booking, thread = confirmed_session()
    sender = Api(client, booking.client)
    meta = sender.upload(thread.id, "goals.pdf", b"%PDF-1.4 goals").get_json()
    sender.send(thread.id, "My goals", "g-1", [meta["id"]])
    db.session.add(
        PushSubscription(
            user_id=booking.client_id, endpoint="https://fcm.googleapis.com/fcm/send/x", p256dh="k", auth="a"
        )
    )
    db.session.commit()
    login_as(booking.client)
    data = client.get("/settings/data/export.json").get_json()
    [message] = data["messages_sent"]
    assert message["attachments"] == [{"filename": "goals.pdf", "content_type": "application/pdf", "size": 14}]
    [device] = data["push_subscriptions"]
    assert device["push_service"] == "fcm.googleapis.com" and device["last_pushed_at"] is None
