"""/metrics: request histogram by URL rule, access control, business rows, rq queues and job times."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

from prometheus_client.parser import text_string_to_metric_families
from rq import Queue
from rq.job import Job

from app import create_app
from app.core.jobs import RQJobs
from app.core.queue_metrics import BUCKETS
from app.extensions import db
from app.payments.models import PaymentStatus
from config import TestingConfig
from tests.conftest import TEST_DATABASE_URL
from tests.core.conftest import run_burst
from tests.factories.analytics import CoachProfileFactory, PaymentFactory

ECHO = "tests.ops.request_id_jobs.echo_request_id"
PROMETHEUS_CONTENT_TYPE = "text/plain; version=1.0.0; charset=utf-8"


def _samples(client, **kwargs) -> dict[tuple[str, tuple], float]:
    resp = client.get("/metrics", **kwargs)
    assert resp.status_code == 200, resp.get_data(as_text=True)
    found = {}
    for family in text_string_to_metric_families(resp.get_data(as_text=True)):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def _count(samples, route: str, status: str = "2xx", method: str = "GET") -> float:
    key = (
        "coach_connect_http_request_duration_seconds_count",
        (("method", method), ("route", route), ("status", status)),
    )
    return samples.get(key, 0.0)


def test_requests_are_counted_by_url_rule_not_by_raw_path(client):
    first, second = CoachProfileFactory(), CoachProfileFactory()
    before = _count(_samples(client), "/coaches/<int:coach_id>")
    assert client.get(f"/coaches/{first.user_id}").status_code == 200
    assert client.get(f"/coaches/{second.user_id}").status_code == 200
    samples = _samples(client)
    assert _count(samples, "/coaches/<int:coach_id>") == before + 2
    assert not [name for name, labels in samples if ("route", f"/coaches/{first.user_id}") in labels]


def test_an_unknown_path_is_counted_as_unmatched_4xx(client):
    before = _count(_samples(client), "<unmatched>", "4xx")
    assert client.get("/no/such/page/4711").status_code == 404
    assert _count(_samples(client), "<unmatched>", "4xx") == before + 1


def test_metrics_answer_in_prometheus_format(client):
    resp = client.get("/metrics")
    assert resp.headers["Content-Type"] == PROMETHEUS_CONTENT_TYPE


def test_metrics_are_hidden_from_other_addresses_without_a_token(client):
    resp = client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert resp.status_code == 404


def _token_app():
    return create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=TEST_DATABASE_URL, METRICS_TOKEN="scrape-secret")


def _basic(user: str, password: str) -> dict:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def test_with_a_token_metrics_refuse_a_wrong_password_even_from_loopback(app):
    guarded = _token_app()
    try:
        resp = guarded.test_client().get("/metrics", headers=_basic("prometheus", "guess"))
        assert resp.status_code == 401
        assert resp.headers["WWW-Authenticate"] == 'Basic realm="metrics"'
    finally:
        with guarded.app_context():
            db.engine.dispose()


def test_with_a_token_metrics_answer_any_address_that_sends_it(app):
    guarded = _token_app()
    try:
        resp = guarded.test_client().get(
            "/metrics", headers=_basic("prometheus", "scrape-secret"), environ_base={"REMOTE_ADDR": "203.0.113.9"}
        )
        assert resp.status_code == 200
    finally:
        with guarded.app_context():
            db.engine.dispose()


def test_payments_are_counted_by_status_with_zero_series_for_the_rest(client):
    PaymentFactory()
    PaymentFactory()
    PaymentFactory(status=PaymentStatus.FAILED)
    samples = _samples(client)
    assert samples[("coach_connect_payments", (("status", "succeeded"),))] == 2
    assert samples[("coach_connect_payments", (("status", "failed"),))] == 1
    assert samples[("coach_connect_payments", (("status", "processing"),))] == 0
    assert samples[("coach_connect_database_up", ())] == 1


def _enqueued_ago(rq_jobs, seconds: int) -> None:
    """A job on `mail` that has waited `seconds` (its enqueue time moved back)."""
    job = Job.fetch(rq_jobs.enqueue(ECHO, queue="mail"), connection=rq_jobs.connection)
    job.enqueued_at = datetime.now(UTC) - timedelta(seconds=seconds)
    job.save()


def test_queue_depth_is_read_from_redis(client, rq_jobs):
    _enqueued_ago(rq_jobs, 120)
    _enqueued_ago(rq_jobs, 30)
    samples = _samples(client)
    assert samples[("coach_connect_rq_up", ())] == 1
    assert samples[("coach_connect_rq_queue_depth", (("queue", "mail"),))] == 2
    assert samples[("coach_connect_rq_queue_depth", (("queue", "refunds"),))] == 0


def test_the_oldest_job_age_is_the_first_waiting_job(client, rq_jobs):
    _enqueued_ago(rq_jobs, 120)
    _enqueued_ago(rq_jobs, 30)
    age = _samples(client)[("coach_connect_rq_oldest_job_age_seconds", (("queue", "mail"),))]
    assert 120 <= age < 130


def test_an_empty_queue_has_no_oldest_job_age(client, rq_jobs):
    assert _samples(client)[("coach_connect_rq_oldest_job_age_seconds", (("queue", "refunds"),))] == 0


def test_job_wait_and_run_times_are_recorded_once_per_job(client, rq_jobs):
    for _ in range(3):
        rq_jobs.enqueue("tests.ops.request_id_jobs.echo_request_id", queue="reports")
    run_burst(rq_jobs.connection, "reports")
    samples = _samples(client)
    assert samples[("coach_connect_rq_job_run_seconds_count", (("queue", "reports"),))] == 3
    assert samples[("coach_connect_rq_job_wait_seconds_count", (("queue", "reports"),))] == 3
    top = f"{BUCKETS[-1]:g}"
    assert samples[("coach_connect_rq_job_run_seconds_bucket", (("le", top), ("queue", "reports")))] == 3
    assert samples[("coach_connect_rq_queue_depth", (("queue", "reports"),))] == 0


def test_a_failed_job_shows_in_its_queue_failed_registry(client, rq_jobs, redis, redis_url):
    no_retry = RQJobs(redis_url, retry_intervals=[])
    no_retry.enqueue("tests.core.failing_jobs.always_fails", 3, queue="webhooks")
    run_burst(redis, "webhooks")
    assert Queue("webhooks", connection=redis).failed_job_registry.count == 1
    samples = _samples(client)
    assert samples[("coach_connect_rq_failed_jobs", (("queue", "webhooks"),))] == 1
    assert samples[("coach_connect_rq_job_run_seconds_count", (("queue", "webhooks"),))] == 1


def test_redis_down_is_reported_as_rq_up_zero_and_the_scrape_still_answers(app):
    broken = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=TEST_DATABASE_URL, REDIS_URL="redis://127.0.0.1:1/0")
    try:
        samples = _samples(broken.test_client())
        assert samples[("coach_connect_rq_up", ())] == 0
    finally:
        with broken.app_context():
            db.engine.dispose()
