"""Schema-first API (issue 17): a body that breaks an operation's declared model answers 400 in the
API's error shape, naming the field (test_openapi.py checks that every route declares its models)."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from app.accounts.models import Role
from app.community.models import Reply
from app.extensions import db
from tests.factories import StaffFactory
from tests.factories.booking import BookingFactory
from tests.factories.community import DiscussionFactory
from tests.factories.payments import PaidPaymentFactory
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


def test_an_invalid_refund_writes_nothing_and_the_valid_one_still_works(client):
    payment = PaidPaymentFactory(amount=9000)
    headers = {**bearer_for(StaffFactory(roles=[Role.FINANCE])), **JSON}
    body = {"payment_id": payment.id, "amount": "4000", "reason": "goodwill"}
    _refused(client.post("/api/payments/refund", data=json.dumps(body), headers=headers), "amount")
    ok = client.post("/api/payments/refund", data=json.dumps({**body, "amount": 4000}), headers=headers)
    assert ok.status_code == 201 and ok.get_json()["refund"]["amount"] == 4000
