"""Payments fixtures: the app switched to the Stripe gateway on localstripe, signed webhook posts."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.request

import pytest

from tests.conftest import csrf_token_from

WEBHOOK_SECRET = "whsec_test_payments"


@pytest.fixture
def stripe_app(app, localstripe_url):
    """The app using StripeGateway against a wiped localstripe; restored afterwards."""
    urllib.request.urlopen(urllib.request.Request(f"{localstripe_url}/_config/data", method="DELETE"))
    saved = {k: app.config.get(k) for k in ("PAYMENT_GATEWAY", "STRIPE_SECRET_KEY", "STRIPE_API_BASE")}
    app.config.update(PAYMENT_GATEWAY="stripe", STRIPE_SECRET_KEY="sk_test_payments", STRIPE_API_BASE=localstripe_url)
    yield app
    app.config.update(saved)


@pytest.fixture
def webhook_secret(app):
    """STRIPE_WEBHOOK_SECRET set for the test."""
    saved = app.config.get("STRIPE_WEBHOOK_SECRET")
    app.config["STRIPE_WEBHOOK_SECRET"] = WEBHOOK_SECRET
    yield WEBHOOK_SECRET
    app.config["STRIPE_WEBHOOK_SECRET"] = saved


def sign(payload: bytes, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """A Stripe-Signature header: t=<ts>,v1=HMAC-SHA256(secret, "<ts>.<payload>")."""
    ts = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{ts}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={ts},v1={mac}"


def event(event_id: str, type_: str, obj: dict, created: int | None = None) -> bytes:
    """A Stripe event's JSON body."""
    body = {
        "id": event_id,
        "object": "event",
        "type": type_,
        "created": created or int(time.time()),
        "data": {"object": obj},
    }
    return json.dumps(body).encode()


@pytest.fixture
def api(client, login_as):
    """api(user) -> post(path, json, headers) and get(path), with the session's CSRF header."""

    def as_user(user):
        login_as(user)
        token = csrf_token_from(client, "/dashboard")

        class Api:
            def post(self, path, body, headers=None):
                return client.post(path, json=body, headers={"X-CSRFToken": token, **(headers or {})})

            def get(self, path):
                return client.get(path)

        return Api()

    return as_user
