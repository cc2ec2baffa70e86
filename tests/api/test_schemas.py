"""Schema-first API (issue 17): a body that breaks an operation's declared model answers 400 in the
API's error shape, naming the field (test_openapi.py checks that every route declares its models)."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from app.accounts.models import Role
from app.community.models import Reply
from app.extensions import db
from app.moderation.services import flag_target
from tests.factories import StaffFactory
from tests.factories.booking import BookingFactory
from tests.factories.community import DiscussionFactory, OldUserFactory, ReplyFactory
from tests.factories.payments import PaidPaymentFactory
from tests.messaging.helpers import confirmed_session
from tests.security_clients import bearer_for, make_user

JSON = {"Content-Type": "application/json"}


def _refused(resp, field: str) -> None:
    assert resp.status_code == 400, resp.get_data(as_text=True)[:300]
    error = resp.get_json()["error"]
    assert error["code"] == "validation_failed" and set(error) == {"code", "message", "fields"}
    assert field in error["fields"] and isinstance(error["fields"][field], str), error


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/payments/create-intent", {"booking_id": "one"}, "booking_id"),
        ("/api/payments/create-intent", {}, "booking_id"),
        ("/api/payments/confirm", {"payment_id": 1, "payment_method": 42}, "payment_method"),
        ("/api/payments/refund", {"payment_id": 1, "amount": True, "reason": "other"}, "amount"),
        ("/api/payments/refund", {"payment_id": 1, "amount": 100, "reason": "because"}, "reason"),
        ("/api/payments/refund", {"payment_id": 1, "amount": 100, "reason": "other", "note": 7}, "note"),
    ],
)
def test_payments_refuse_an_invalid_body_naming_the_field(client, path, body, field):
    headers = {**bearer_for(make_user("admin")), **JSON}
    _refused(client.post(path, data=json.dumps(body), headers=headers), field)


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/groups", {"name": 5}, "name"),
        ("/api/groups", {"name": "Runners", "is_private": "yes"}, "is_private"),
        ("/api/groups/{group}/discussions", {"title": "Hello"}, "body"),
        ("/api/discussions/{discussion}/replies", {"body": ["Hi"]}, "body"),
        ("/api/flags", {"target_type": "discussion", "target_id": "x", "reason": "spam"}, "target_id"),
        ("/api/flags", {"target_type": "discussion", "target_id": 1, "reason": "boring"}, "reason"),
        ("/api/flags", {"target_type": "poem", "target_id": 1, "reason": "spam"}, "target_type"),
    ],
)
def test_community_refuses_an_invalid_body_naming_the_field(client, path, body, field):
    discussion = DiscussionFactory()
    path = path.format(group=discussion.group_id, discussion=discussion.id)
    headers = {**bearer_for(make_user("admin")), **JSON}
    _refused(client.post(path, data=json.dumps(body), headers=headers), field)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Reply)) == 0


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("POST", "/api/bookings", {"coach_id": "x", "session_type_id": 1, "starts_at": "2030-01-01T10:00:00+00:00"},
         "coach_id"),
        ("POST", "/api/bookings", {"coach_id": 1, "session_type_id": 1}, "starts_at"),
        ("PUT", "/api/bookings/{booking}/reschedule", {"starts_at": 5}, "starts_at"),
        ("PUT", "/api/bookings/{booking}/reschedule", {"starts_at": ""}, "starts_at"),
        ("PUT", "/api/bookings/{booking}/cancel", {"reason": 5}, "reason"),
    ],
)  # fmt: skip
def test_booking_refuses_an_invalid_body_naming_the_field(client, method, path, body, field):
    booking = BookingFactory()
    before = (booking.status, booking.starts_at)
    headers = {**bearer_for(booking.client), **JSON}
    resp = client.open(path.format(booking=booking.id), method=method, data=json.dumps(body), headers=headers)
    _refused(resp, field)
    db.session.refresh(booking)
    assert (booking.status, booking.starts_at) == before


KEYS = {"p256dh": "BPk", "auth": "x1"}


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("POST", "/api/messages/thread", {"coach_id": True}, "coach_id"),
        ("POST", "/api/messages/send", {"thread_id": "1", "body": "Hi"}, "thread_id"),
        ("POST", "/api/messages/send", {"thread_id": 1, "body": "Hi", "attachment_ids": [0]}, "attachment_ids"),
        ("POST", "/api/messages/send", {"thread_id": 1, "body": "x" * 5001}, "body"),
        ("POST", "/api/messages/threads/{thread}/read", {"message_id": "last"}, "message_id"),
        ("GET", "/api/messages/threads/{thread}/messages?before=x", None, "before"),
        ("GET", "/api/messages/threads/{thread}/messages?before=+5", None, "before"),
        ("GET", "/api/messages/threads/{thread}/messages?after=5.0", None, "after"),
        ("POST", "/api/push/subscriptions", {"endpoint": 5, "keys": KEYS}, "endpoint"),
        ("POST", "/api/push/subscriptions", {"endpoint": "https://push.test/1", "keys": {"p256dh": "a"}}, "keys"),
        ("POST", "/api/video/{booking}/signal", {"kind": "shout", "page": "p1"}, "kind"),
        ("POST", "/api/video/{booking}/signal", {"kind": "hello", "page": "p" * 65}, "page"),
        ("POST", "/api/video/{booking}/attendance", {"event": "join", "bytes_sent": -1}, "bytes_sent"),
        ("POST", "/api/moderation/items/{item}/decision", {"action": "nuke", "reason": "x"}, "action"),
        ("POST", "/api/moderation/items/{item}/decision", {"action": "keep", "edited_body": 3}, "edited_body"),
        ("PUT", "/api/coaches/1/verify", {"decision": "maybe"}, "decision"),
        ("PUT", "/api/coaches/1/verify", {"decision": "reject", "reason": ["no"]}, "reason"),
        ("GET", "/api/analytics/metrics", None, "metric"),
        ("GET", "/api/analytics/metrics?metric=revenue&granularity=year", None, "granularity"),
    ],
)
def test_each_group_refuses_an_invalid_request_naming_the_field(client, method, path, body, field):
    # Real objects behind the ids: a view that loads its object first still answers 404 for a missing one.
    booking, thread = confirmed_session()
    reply = ReplyFactory(body_md="Buy cheap pills at example.test")
    item = flag_target(OldUserFactory(), "reply", reply.id, "spam").item
    staff = path.startswith(("/api/moderation", "/api/coaches", "/api/analytics"))
    headers = {**bearer_for(make_user("admin") if staff else booking.client), **JSON}
    data = json.dumps(body) if body is not None else None
    path = path.format(booking=booking.id, thread=thread.id, item=item.id)
    _refused(client.open(path, method=method, data=data, headers=headers), field)


def test_an_application_with_a_wrong_type_is_refused_naming_the_field(client):
    form = {"years_experience": "many", "certification_level": "associate", "specializations": ["life"]}
    headers = bearer_for(make_user("client"))
    resp = client.post("/api/coaches/apply", data=form, headers=headers, content_type="multipart/form-data")
    _refused(resp, "years_experience")


def test_an_invalid_refund_writes_nothing_and_the_valid_one_still_works(client):
    payment = PaidPaymentFactory(amount=9000)
    headers = {**bearer_for(StaffFactory(roles=[Role.FINANCE])), **JSON}
    body = {"payment_id": payment.id, "amount": "4000", "reason": "goodwill"}
    _refused(client.post("/api/payments/refund", data=json.dumps(body), headers=headers), "amount")
    ok = client.post("/api/payments/refund", data=json.dumps({**body, "amount": 4000}), headers=headers)
    assert ok.status_code == 201 and ok.get_json()["refund"]["amount"] == 4000


def test_what_the_api_accepted_before_the_schemas_it_still_accepts(client):
    """An empty ?before= is the latest page, a null refund note is no note, and an empty author_action
    is no sanction, as the API read them before the schemas."""
    booking, thread = confirmed_session()
    headers = {**bearer_for(booking.client), **JSON}
    page = client.get(f"/api/messages/threads/{thread.id}/messages?before=&after=", headers=headers)
    assert page.status_code == 200, page.get_data(as_text=True)[:300]

    payment = PaidPaymentFactory(amount=9000)
    finance = {**bearer_for(StaffFactory(roles=[Role.FINANCE])), **JSON}
    body = {"payment_id": payment.id, "amount": 1000, "reason": "goodwill", "note": None}
    refund = client.post("/api/payments/refund", data=json.dumps(body), headers=finance)
    assert refund.status_code == 201 and refund.get_json()["refund"]["amount"] == 1000

    reply = ReplyFactory(body_md="Buy cheap pills at example.test")
    item = flag_target(OldUserFactory(), "reply", reply.id, "spam").item
    moderator = {**bearer_for(make_user("moderator")), **JSON}
    decision = {"action": "hide", "reason": "Spam.", "author_action": ""}
    resp = client.post(f"/api/moderation/items/{item.id}/decision", data=json.dumps(decision), headers=moderator)
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    assert resp.get_json()["status"] == "hidden"
