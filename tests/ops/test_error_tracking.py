"""Sentry (SENTRY_DSN): an exception in a view and one in a job that used up its retries each reach
a local ingest endpoint exactly once, tagged with the request id, without personal data."""

from __future__ import annotations

import os
import subprocess
import time

import pytest

from app import create_app
from app.core import error_tracking
from app.core.jobs import RQJobs
from app.core.request_id import bound
from app.extensions import db
from config import TestingConfig
from tests.conftest import TEST_DATABASE_URL
from tests.ops.sentry_receiver import sentry_receiver
from tests.services import _bin

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture
def receiver():
    with sentry_receiver() as (found, dsn):
        found.dsn_url = dsn
        yield found


def _wait_for(receiver, count: int, seconds: float = 10) -> list[dict]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and len(receiver.events) < count:
        time.sleep(0.05)
    time.sleep(0.3)  # a duplicate would arrive right behind the first
    return list(receiver.events)


@pytest.fixture
def tracked_app(app, receiver):
    """An app with SENTRY_DSN pointing at the receiver and a view that fails."""
    tracked = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=TEST_DATABASE_URL, SENTRY_DSN=receiver.dsn_url)

    def explode():
        raise RuntimeError("lookup failed for ada.lovelace@example.org")

    explode.access = "public"
    tracked.add_url_rule("/explode", "explode", explode)
    try:
        yield tracked
    finally:
        error_tracking.shutdown()
        with tracked.app_context():
            db.engine.dispose()


def test_an_exception_in_a_view_arrives_once_tagged_with_the_request_id(tracked_app, receiver):
    client = tracked_app.test_client()
    client.set_cookie("session", "secret-session-cookie")
    resp = client.get("/explode?token=abc123", headers={"X-Request-ID": "sentry-view-0001"})
    assert resp.status_code == 500
    error_tracking.shutdown()
    events = _wait_for(receiver, 1)
    assert [e["tags"]["request_id"] for e in events] == ["sentry-view-0001"]


def test_a_view_event_carries_no_address_cookie_or_query_token(tracked_app, receiver):
    client = tracked_app.test_client()
    client.set_cookie("session", "secret-session-cookie")
    client.get("/explode?token=abc123", headers={"X-Request-ID": "sentry-view-0002"})
    error_tracking.shutdown()
    (event,) = _wait_for(receiver, 1)
    text = str(event)
    assert ("ada.lovelace@example.org" in text, "secret-session-cookie" in text, "abc123" in text) == (
        False,
        False,
        False,
    )
    assert event["release"] == error_tracking.release()


def test_a_job_that_uses_up_its_retries_arrives_once_from_the_rq_worker(app, receiver, redis, redis_url):
    backend = RQJobs(redis_url, retry_intervals=[0, 0])  # three attempts
    with bound("sentry-job-0001"):
        backend.enqueue("tests.ops.failing_app_job.fails_for", "grace@example.org", queue="default")
    env = {
        **os.environ,
        "APP_ENV": "testing",
        "TEST_DATABASE_URL": TEST_DATABASE_URL,
        "SENTRY_DSN": receiver.dsn_url,
        "INSTANCE_PATH": os.path.join(ROOT, "instance"),
    }
    done = subprocess.run(
        [_bin("rq"), "worker", "--burst", "-c", "workers.rq_settings", "--url", redis_url, "default"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("could not deliver to") >= 3, done.stderr  # every attempt ran and failed
    events = _wait_for(receiver, 1)
    assert [(e["tags"].get("request_id"), e["exception"]["values"][-1]["type"]) for e in events] == [
        ("sentry-job-0001", "RuntimeError")
    ]
