"""Drill: PostgreSQL stops under a running gunicorn (a private cluster the test starts and stops).

Pages that need the database answer a friendly 503, /readyz says why, a Stripe webhook is refused
with 5xx (so Stripe retries it), and once the database is back the same processes serve again:
no restart, no write lost that was answered 2xx/302, the retried webhook processed once.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import time

import pytest
import sqlalchemy as sa

from app import create_app
from app.extensions import db
from config import TestingConfig
from tests.ops.drill_client import DrillClient
from tests.ops.gunicorn_process import gunicorn
from tests.ops.throwaway_postgres import throwaway_postgres

WEBHOOK_SECRET = "whsec_drill"
PASSWORD = "correct-horse-battery"


@pytest.fixture(scope="module")
def stack(app, tmp_path_factory):
    """A migrated private cluster and gunicorn (1 worker, production config) in front of it."""
    with throwaway_postgres() as pg:
        schema = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=pg.url)
        from flask_migrate import upgrade

        with schema.app_context():
            upgrade()
            db.session.remove()
            db.engine.dispose()
        tmp = tmp_path_factory.mktemp("drill-db")
        with gunicorn(tmp, pg.url, workers=1, STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET) as server:
            yield pg, server


@contextlib.contextmanager
def outage(pg):
    """The database is stopped inside the block and started again after it, whatever happens."""
    pg.stop()
    try:
        yield
    finally:
        pg.start()


def _rows(pg, sql: str, **params) -> list[tuple]:
    engine = sa.create_engine(pg.url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(sa.text(sql), params)]
    finally:
        engine.dispose()


def _register(server, email: str) -> int:
    fields = {"first_name": "Drill", "last_name": "User", "email": email, "timezone": "UTC"}
    status, _, _ = DrillClient(server.base).post_form(
        "/register", {**fields, "password": PASSWORD, "confirm": PASSWORD}
    )
    return status


def _signed(event: dict) -> tuple[bytes, dict]:
    payload = json.dumps(event).encode()
    stamp = int(time.time())
    signature = hmac.new(WEBHOOK_SECRET.encode(), f"{stamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return payload, {"Stripe-Signature": f"t={stamp},v1={signature}", "Content-Type": "application/json"}


def test_pages_needing_the_database_answer_a_friendly_503(stack):
    pg, server = stack
    with outage(pg):
        status, headers, html = DrillClient(server.base).get("/coaches")
    assert (status, headers["Retry-After"]) == (503, "30")
    assert "We cannot reach our database right now. Nothing was saved; please try again in a minute." in html


def test_a_logged_in_visitor_also_gets_the_friendly_503(stack):
    pg, server = stack
    client = DrillClient(server.base)
    fields = {"first_name": "Ada", "last_name": "L", "email": "ada-drill@example.org", "timezone": "UTC"}
    assert client.post_form("/register", {**fields, "password": PASSWORD, "confirm": PASSWORD})[0] == 302
    with outage(pg):
        status, _, html = client.get("/dashboard")
    assert status == 503
    assert "We cannot reach our database right now." in html


def test_readyz_names_the_database_while_livez_stays_up(stack):
    pg, server = stack
    with outage(pg):
        ready_status, _, ready = DrillClient(server.base).get("/readyz")
        live_status = DrillClient(server.base).get("/livez")[0]
    assert (ready_status, json.loads(ready)["checks"]["database"]["ok"], live_status) == (503, False, 200)


def test_after_recovery_the_same_processes_serve_and_no_answered_write_is_lost(stack):
    pg, server = stack
    workers_before = server.workers()
    answered = {}
    answered["before@example.org"] = _register(server, "before@example.org")
    with outage(pg):
        answered["during@example.org"] = _register(server, "during@example.org")
    answered["after@example.org"] = _register(server, "after@example.org")
    assert answered == {"before@example.org": 302, "during@example.org": 503, "after@example.org": 302}
    stored = {r[0] for r in _rows(pg, "SELECT email FROM users WHERE email LIKE '%@example.org'")}
    assert {"before@example.org", "after@example.org"} <= stored and "during@example.org" not in stored
    assert server.workers() == workers_before  # served again without a restart


def test_a_webhook_refused_during_the_outage_is_processed_once_when_stripe_retries(stack):
    pg, server = stack
    event = {
        "id": "evt_drill_1",
        "type": "customer.created",
        "created": int(time.time()),
        "data": {"object": {"id": "cus_drill", "object": "customer"}},
    }
    client = DrillClient(server.base)
    with outage(pg):
        refused = client.request("POST", "/webhooks/stripe", *_signed(event))[0]
    retried = client.request("POST", "/webhooks/stripe", *_signed(event))
    again = client.request("POST", "/webhooks/stripe", *_signed(event))
    assert (refused, retried[0], json.loads(retried[2])["duplicate"], json.loads(again[2])["duplicate"]) == (
        503,
        200,
        False,
        True,
    )
    rows = _rows(pg, "SELECT status FROM webhook_events WHERE provider_event_id = 'evt_drill_1'")
    assert rows == [("ignored",)]  # stored once and handled (no handler for customer.created: ignored)
