"""Request ids (accepted when well formed, echoed, carried into jobs) and one JSON log line per request."""

from __future__ import annotations

import io
import json
import logging

import pytest
from rq.job import Job

from app.core.log_format import JsonFormatter, RequestIdFilter
from app.core.request_id import bound
from tests.core.conftest import run_burst
from tests.factories import UserFactory

ECHO = "tests.ops.request_id_jobs.echo_request_id"


@pytest.fixture
def json_lines():
    """What the request logger writes, in the JSON format production uses."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("coach_connect.request")
    logger.addHandler(handler)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        logger.removeHandler(handler)


def test_a_well_formed_request_id_is_echoed(client):
    resp = client.get("/livez", headers={"X-Request-ID": "lb-7f3a9c21-0001"})
    assert resp.headers["X-Request-ID"] == "lb-7f3a9c21-0001"


@pytest.mark.parametrize("sent", ["short", "has space inside it", 'quote"and\\slash', "x" * 129])
def test_a_malformed_request_id_is_replaced_by_a_generated_one(client, sent):
    resp = client.get("/livez", headers={"X-Request-ID": sent})
    echoed = resp.headers["X-Request-ID"]
    assert echoed != sent
    assert len(echoed) == 32 and all(c in "0123456789abcdef" for c in echoed)


def test_each_request_without_an_id_gets_its_own(client):
    first = client.get("/livez").headers["X-Request-ID"]
    second = client.get("/livez").headers["X-Request-ID"]
    assert first != second


def test_one_json_line_per_request_with_user_route_status_duration_and_bytes(client, login_as, json_lines):
    user = UserFactory()
    login_as(user)
    resp = client.get("/api/me", headers={"X-Request-ID": "trace-0000000042"})
    lines = [line for line in json_lines() if line["request_id"] == "trace-0000000042"]
    assert len(lines) == 1
    line = lines[0]
    assert (line["user_id"], line["route"], line["method"], line["status"], line["bytes"]) == (
        user.id,
        "/api/me",
        "GET",
        200,
        len(resp.get_data()),
    )
    assert line["duration_ms"] >= 0
    assert line["level"] == "info"


def test_an_anonymous_request_logs_no_user(client, json_lines):
    client.get("/livez", headers={"X-Request-ID": "anon-000000000001"})
    (line,) = [line for line in json_lines() if line["request_id"] == "anon-000000000001"]
    assert line["user_id"] is None


def test_a_job_enqueued_during_a_request_runs_with_its_request_id(rq_jobs):
    with bound("req-from-the-web-1"):
        job_id = rq_jobs.enqueue(ECHO, queue="default")
    run_burst(rq_jobs.connection, "default")
    assert Job.fetch(job_id, connection=rq_jobs.connection).return_value() == "req-from-the-web-1"
