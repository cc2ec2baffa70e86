"""Drill: Redis stops under a running gunicorn (a private redis-server the test kills and restarts).

Pages keep serving; work saved meanwhile keeps its job as a "could not enqueue" row, which
`flask jobs requeue-unsent` (the clock, every minute) puts on its queue once Redis is back.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from redis import Redis
from rq import Queue

from app import create_app
from app.core.models import JobFailure, MailStatus, OutgoingMail
from app.extensions import db
from config import TestingConfig
from tests.conftest import TEST_DATABASE_URL
from tests.core.conftest import run_burst
from tests.ops.drill_client import DrillClient
from tests.ops.gunicorn_process import gunicorn
from tests.ops.private_redis import private_redis, redis_outage

PASSWORD = "correct-horse-battery"


@pytest.fixture(scope="module")
def stack(app, tmp_path_factory):
    """A private Redis and gunicorn (production config, rq jobs) in front of the test database."""
    with private_redis() as redis_server:
        with gunicorn(
            tmp_path_factory.mktemp("drill-redis"), TEST_DATABASE_URL, workers=1, REDIS_URL=redis_server.url
        ) as web:
            yield redis_server, web


def _register(web, email: str) -> int:
    fields = {"first_name": "Drill", "last_name": "User", "email": email, "timezone": "UTC"}
    return DrillClient(web.base).post_form("/register", {**fields, "password": PASSWORD, "confirm": PASSWORD})[0]


def test_pages_keep_serving_while_redis_is_down(stack):
    redis_server, web = stack
    with redis_outage(redis_server):
        statuses = [DrillClient(web.base).get(path)[0] for path in ("/", "/coaches", "/login", "/livez")]
    assert statuses == [200, 200, 200, 200]


def test_readyz_names_redis_while_it_is_down(stack):
    redis_server, web = stack
    with redis_outage(redis_server):
        status, _, body = DrillClient(web.base).get("/readyz")
    assert (status, '"redis":{"error":"ConnectionError","ok":false}' in body) == (503, True)


def test_a_signup_while_redis_is_down_is_saved_and_its_mail_job_kept(stack):
    redis_server, web = stack
    with redis_outage(redis_server):
        assert _register(web, "redis-down@example.org") == 302
    kept = db.session.scalars(sa.select(JobFailure)).all()
    assert [(f.func, f.queue, f.job_id, f.retried_at) for f in kept] == [
        ("workers.mail.deliver_mail", "mail", None, None)
    ]


def test_the_kept_job_is_enqueued_once_redis_is_back_and_the_mail_goes_out_once(stack):
    redis_server, web = stack
    with redis_outage(redis_server):
        assert _register(web, "redis-back@example.org") == 302
    mail = db.session.scalars(sa.select(OutgoingMail).where(OutgoingMail.to_address == "redis-back@example.org")).one()
    assert mail.status == MailStatus.QUEUED
    clock_app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=TEST_DATABASE_URL, REDIS_URL=redis_server.url)
    try:
        runner = clock_app.test_cli_runner()
        with clock_app.app_context():  # the command runs in the clock's app (rq), not the suite's (inline)
            first = runner.invoke(args=["jobs", "requeue-unsent"], catch_exceptions=False)
            second = runner.invoke(args=["jobs", "requeue-unsent"], catch_exceptions=False)
        assert (first.output, second.output) == ("1 job(s) enqueued\n", "0 job(s) enqueued\n")
        connection = Redis.from_url(redis_server.url)
        assert Queue("mail", connection=connection).count == 1
        with clock_app.app_context():
            run_burst(connection, "mail")
        connection.close()
    finally:
        with clock_app.app_context():
            db.session.remove()
            db.engine.dispose()
    db.session.expire_all()
    assert db.session.get(OutgoingMail, mail.id).status == MailStatus.OUTBOX
