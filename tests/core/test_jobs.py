"""Jobs: rq on the real Redis (in-process SimpleWorker and the `rq worker --burst` command),
failures recorded and retried from the console, inline execution, health report."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import sqlalchemy as sa
from rq import Queue
from rq.job import Job
from rq.registry import ScheduledJobRegistry

from app.accounts.models import Role
from app.core.db import utcnow
from app.core.effects import commit, rollback
from app.core.jobs import InlineJobs, RQJobs, enqueue_after_commit, jobs
from app.core.mail import queue_mail
from app.core.models import AuditLog, JobFailure, MailStatus, OutgoingMail
from app.extensions import db
from tests.conftest import TEST_DATABASE_URL, csrf_token_from
from tests.core.conftest import run_burst
from tests.factories import StaffFactory, UserFactory
from tests.services import _bin

ROOT = Path(__file__).resolve().parents[2]
FAILING = "tests.core.failing_jobs.always_fails"


def _welcome_mail() -> OutgoingMail:
    user = UserFactory(first_name="Ada")
    mail = queue_mail(user.email, "welcome", "Welcome to Coach Connect", {"user": user, "login_url": "/login"})
    commit()
    return mail


def test_mail_job_goes_through_redis_and_a_simple_worker(rq_jobs):
    mail = _welcome_mail()
    queue = Queue("mail", connection=rq_jobs.connection)
    assert queue.count == 1
    assert mail.status == MailStatus.QUEUED  # nothing ran yet: the job waits in Redis
    run_burst(rq_jobs.connection, "mail")
    db.session.expire_all()
    assert db.session.get(OutgoingMail, mail.id).status == MailStatus.OUTBOX
    assert queue.count == 0


def _rq_worker_burst(redis_url: str, queue: str, **env: str) -> subprocess.CompletedProcess:
    """`rq worker --burst` as a separate process; workers/context.py builds the app from APP_ENV."""
    environment = {
        **os.environ,
        "APP_ENV": "testing",
        "TEST_DATABASE_URL": TEST_DATABASE_URL,
        "INSTANCE_PATH": str(ROOT / "instance"),
        **env,
    }
    result = subprocess.run(
        [_bin("rq"), "worker", "--burst", "--url", redis_url, queue],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result


def test_mail_job_runs_in_the_rq_worker_command(rq_jobs, redis_url, smtp_server):
    host, port, handler = smtp_server
    before = len(handler.messages)
    mail = _welcome_mail()
    result = _rq_worker_burst(redis_url, "mail", MAIL_BACKEND="smtp", SMTP_HOST=host, SMTP_PORT=str(port))
    db.session.expire_all()
    delivered = db.session.get(OutgoingMail, mail.id)
    assert delivered.status == MailStatus.SENT, result.stderr
    assert delivered.sent_at is not None
    assert [m["To"] for m in handler.messages[before:]] == [mail.to_address]


def test_failing_job_is_retried_then_recorded(rq_jobs):
    job_id = rq_jobs.enqueue(FAILING, 7, queue="default")
    run_burst(rq_jobs.connection, "default")
    assert int(rq_jobs.connection.get("attempts:7")) == 3  # first run + two retries
    assert Job.fetch(job_id, connection=rq_jobs.connection).get_status() == "failed"
    failure = db.session.scalars(sa.select(JobFailure)).one()
    assert (failure.func, failure.args, failure.queue, failure.job_id) == (FAILING, [7], "default", job_id)
    assert "job 7 failed on purpose" in failure.error


def test_rq_worker_command_records_the_final_failure(rq_jobs, redis_url):
    job_id = rq_jobs.enqueue(FAILING, 11, queue="reports")
    _rq_worker_burst(redis_url, "reports")
    assert int(rq_jobs.connection.get("attempts:11")) == 3
    db.session.expire_all()
    failure = db.session.scalars(sa.select(JobFailure)).one()
    assert (failure.func, failure.args, failure.queue, failure.job_id) == (FAILING, [11], "reports", job_id)


def test_failure_shows_in_console_and_retry_requeues_it(rq_jobs, login):
    admin = StaffFactory(roles=[Role.ADMIN])
    rq_jobs.enqueue(FAILING, 8, queue="default")
    run_burst(rq_jobs.connection, "default")
    failure = db.session.scalars(sa.select(JobFailure)).one()

    client = login(admin)
    page = client.get("/staff/jobs").get_data(as_text=True)
    assert "Backend: <strong>rq</strong> — reachable, 0 workers running" in page
    assert FAILING in page and "RuntimeError: job 8 failed on purpose" in page

    token = csrf_token_from(client, "/staff/jobs")
    resp = client.post(f"/staff/jobs/{failure.id}/retry", data={"csrf_token": token})
    assert resp.status_code == 302, resp.get_data(as_text=True)
    queue = Queue("default", connection=rq_jobs.connection)
    assert queue.count == 1
    assert queue.jobs[0].func_name == FAILING and queue.jobs[0].args == (8,)
    entry = db.session.scalars(sa.select(AuditLog).where(AuditLog.action == "job.retried")).one()
    assert (entry.actor_id, entry.object_type, entry.object_id) == (admin.id, "job_failures", str(failure.id))
    assert entry.after == {"func": FAILING, "args": [8]}

    page = client.get("/staff/jobs").get_data(as_text=True)
    assert "Retried" in page
    token = csrf_token_from(client, "/staff/users")
    resp = client.post(f"/staff/jobs/{failure.id}/retry", data={"csrf_token": token}, follow_redirects=True)
    assert "already retried" in resp.get_data(as_text=True)
    assert queue.count == 1


def test_retry_without_csrf_token_is_refused(rq_jobs, login_as):
    admin = StaffFactory(roles=[Role.ADMIN])
    failure = JobFailure(queue="default", func=FAILING, args=[1], error="x")
    db.session.add(failure)
    db.session.commit()
    resp = login_as(admin).post(f"/staff/jobs/{failure.id}/retry")
    assert resp.status_code == 400
    assert Queue("default", connection=rq_jobs.connection).count == 0


def test_jobs_page_is_for_admins_only(login_as):
    resp = login_as(StaffFactory(roles=[Role.MODERATOR])).get("/staff/jobs")
    assert resp.status_code == 403


def test_retry_intervals_come_from_config(redis, redis_url):
    backend = RQJobs(redis_url, retry_intervals=[5, 30])
    job = Job.fetch(backend.enqueue(FAILING, 1), connection=backend.connection)
    assert (job.retries_left, job.retry_intervals) == (2, [5, 30])
    no_retry = RQJobs(redis_url, retry_intervals=[])
    assert Job.fetch(no_retry.enqueue(FAILING, 2), connection=redis).retries_left is None
    backend.connection.close()
    no_retry.connection.close()


def test_build_jobs_reads_job_retry_intervals(app, redis_url):
    from app.core.jobs import build_jobs

    backend = build_jobs({**app.config, "REDIS_URL": redis_url, "JOB_RETRY_INTERVALS": [1, 2, 3]})
    assert isinstance(backend, RQJobs) and backend.retry_intervals == [1, 2, 3]
    backend.connection.close()
    assert isinstance(build_jobs({**app.config, "REDIS_URL": None}), InlineJobs)


def test_scheduled_job_waits_in_the_scheduled_registry(rq_jobs):
    from datetime import timedelta

    job_id = rq_jobs.enqueue(FAILING, 3, queue="reminders", at=utcnow() + timedelta(hours=1))
    assert job_id in ScheduledJobRegistry("reminders", connection=rq_jobs.connection).get_job_ids()
    rq_jobs.cancel(job_id)
    rq_jobs.cancel("no-such-job")


def test_enqueue_after_commit_is_dropped_on_rollback(rq_jobs):
    enqueue_after_commit(FAILING, 1)
    rollback()
    commit()
    assert Queue("default", connection=rq_jobs.connection).count == 0
    enqueue_after_commit(FAILING, 1)
    commit()
    assert Queue("default", connection=rq_jobs.connection).count == 1


def test_inline_jobs_run_at_once_and_record_failures(app):
    assert isinstance(jobs(), InlineJobs)
    mail = _welcome_mail()  # inline: delivered during the commit
    assert db.session.get(OutgoingMail, mail.id).status == MailStatus.OUTBOX
    job_id = jobs().enqueue(FAILING, 9, queue="reports")
    failure = db.session.scalars(sa.select(JobFailure)).one()
    assert (failure.func, failure.args, failure.queue, failure.job_id) == (FAILING, [9], "reports", job_id)
    assert "job 9 failed on purpose" in failure.error


def test_healthz_reports_rq_status(client, rq_jobs):
    body = client.get("/healthz").get_json()
    assert body["queue"] == {"backend": "rq", "ok": True, "workers": 0, "workers_unresponsive": 0}


def test_healthz_counts_only_live_workers(client, rq_jobs):
    """Issue 16, 11: a SIGKILLed worker stays registered (no death, an old heartbeat) and was counted."""
    from datetime import UTC, datetime, timedelta

    from rq import Worker
    from rq.utils import utcformat

    conn = rq_jobs.connection
    live, killed = (Worker(["default"], connection=conn, name=n) for n in ("live-worker", "killed-worker"))
    for worker in (live, killed):
        worker.register_birth()
        worker.heartbeat()
    killed_at = datetime.now(UTC) - timedelta(minutes=5)  # its key lives on for worker TTL + 60 s
    conn.hset(killed.key, "last_heartbeat", utcformat(killed_at))
    assert Worker.count(connection=conn) == 2
    body = client.get("/healthz").get_json()
    assert (body["queue"]["workers"], body["queue"]["workers_unresponsive"]) == (1, 1)
    live.register_death()
    killed.register_death()


def test_healthz_reports_unreachable_redis(app, client, monkeypatch):
    monkeypatch.setitem(app.extensions, "jobs", RQJobs("redis://127.0.0.1:1/0"))
    resp = client.get("/healthz")
    assert resp.status_code == 200  # the database answers; the queue is reported down
    assert resp.get_json()["queue"] == {"backend": "rq", "ok": False, "error": "ConnectionError"}


def test_unreachable_redis_keeps_the_job_as_a_failure(app, monkeypatch):
    monkeypatch.setitem(app.extensions, "jobs", RQJobs("redis://127.0.0.1:1/0"))
    mail = _welcome_mail()  # the commit succeeds; the enqueue after it fails
    assert db.session.get(OutgoingMail, mail.id).status == MailStatus.QUEUED
    failure = db.session.scalars(sa.select(JobFailure)).one()
    assert (failure.func, failure.args, failure.queue, failure.job_id) == (
        "workers.mail.deliver_mail",
        [mail.id],
        "mail",
        None,
    )
    assert failure.error.startswith("Could not enqueue the job:") and "ConnectionError" in failure.error
