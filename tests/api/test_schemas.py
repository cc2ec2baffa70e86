"""Schema-first API (issue 17): a body that breaks an operation's declared model answers 400 in the
API's error shape, naming the field (test_openapi.py checks that every route declares its models)."""

from __future__ import annotations

import json

import pytest

from app.accounts.models import Role
from tests.factories import StaffFactory
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


def test_an_invalid_refund_writes_nothing_and_the_valid_one_still_works(client):
    payment = PaidPaymentFactory(amount=9000)
    headers = {**bearer_for(StaffFactory(roles=[Role.FINANCE])), **JSON}
    body = {"payment_id": payment.id, "amount": "4000", "reason": "goodwill"}
    _refused(client.post("/api/payments/refund", data=json.dumps(body), headers=headers), "amount")
    ok = client.post("/api/payments/refund", data=json.dumps({**body, "amount": 4000}), headers=headers)
    assert ok.status_code == 201 and ok.get_json()["refund"]["amount"] == 4000
