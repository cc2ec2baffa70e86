"""The staff System page (admins): queues from Redis, failed jobs with Retry/Delete, webhook and mail
backlogs, migration revision, release, and the last rollup and report runs, each in its honest state."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from app import create_app
from app.accounts.models import Role
from app.analytics.models import Report, ReportStatus
from app.core.db import utcnow
from app.core.error_tracking import release
from app.core.models import AuditLog, JobFailure, MailStatus, OutgoingMail
from app.extensions import db
from app.payments.bookkeeping import WebhookEvent, WebhookStatus
from config import TestingConfig
from tests.conftest import TEST_DATABASE_URL, csrf_token_from
from tests.factories import StaffFactory

PAGE = "/staff/system/"
ECHO = "tests.ops.request_id_jobs.echo_request_id"


def _queue_row(html: str, name: str) -> list[str]:
    match = re.search(rf'<tr><th scope="row">{name}</th>(.*?)</tr>', html)
    assert match, f"no row for queue {name}"
    return re.findall(r"<td>(.*?)</td>", match.group(1))


def _admin_page(login_as) -> str:
    resp = login_as(StaffFactory(roles=[Role.ADMIN])).get(PAGE)
    assert resp.status_code == 200
    return resp.get_data(as_text=True)


def test_queues_show_depth_and_failures_from_redis(login_as, rq_jobs):
    rq_jobs.enqueue(ECHO, queue="mail")
    rq_jobs.enqueue(ECHO, queue="mail")
    db.session.add(JobFailure(queue="mail", func="workers.mail.deliver_mail", args=[1], error="boom"))
    db.session.commit()
    waiting, oldest, running, scheduled, failed_rq, open_failures = _queue_row(_admin_page(login_as), "mail")
    assert (waiting, running, scheduled, failed_rq, open_failures) == ("2", "0", "0", "0", "1")
    assert oldest.endswith(" s")


def test_no_worker_running_is_said_outright(login_as, rq_jobs):
    assert "no worker is running; queued jobs wait" in _admin_page(login_as)


def test_redis_down_is_shown_as_unreachable_not_as_empty_queues(app, login_as):
    broken = create_app(
        TestingConfig,
        SQLALCHEMY_DATABASE_URI=TEST_DATABASE_URL,
        REDIS_URL="redis://127.0.0.1:1/0",
        SERVER_NAME="localhost",
    )
    admin = StaffFactory(roles=[Role.ADMIN])
    try:
        client = broken.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = str(admin.id)
            session["_fresh"] = True
        html = client.get(PAGE).get_data(as_text=True)
        assert "Redis is unreachable (ConnectionError): queue depths and workers are unknown." in html
        assert 'id="queues"' not in html
    finally:
        with broken.app_context():
            db.session.remove()
            db.engine.dispose()


def test_inline_jobs_say_there_are_no_queues(login_as):
    assert "Jobs run inline in the web process" in _admin_page(login_as)


def test_a_failed_job_shows_its_traceback(login_as):
    db.session.add(JobFailure(queue="reports", func="workers.reports.build", args=[7], error="Traceback\nKeyError: 7"))
    db.session.commit()
    html = _admin_page(login_as)
    assert "<summary>KeyError: 7</summary><pre>Traceback\nKeyError: 7</pre>" in html


def test_deleting_a_failed_job_removes_it_and_is_audited(login_as):
    admin = StaffFactory(roles=[Role.ADMIN])
    failure = JobFailure(queue="reports", func="workers.reports.build", args=[7], error="Traceback\nKeyError: 7")
    db.session.add(failure)
    db.session.commit()
    failure_id = failure.id
    client = login_as(admin)
    resp = client.post(f"{PAGE}failures/{failure_id}/delete", data={"csrf_token": csrf_token_from(client, PAGE)})
    assert resp.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(JobFailure)) == 0
    entry = db.session.scalars(sa.select(AuditLog).where(AuditLog.action == "job.deleted")).one()
    assert (entry.actor_id, entry.object_id, entry.before) == (
        admin.id,
        str(failure_id),
        {"func": "workers.reports.build", "args": [7], "queue": "reports", "error": "KeyError: 7"},
    )


def test_other_staff_cannot_delete_a_failed_job(login_as):
    failure = JobFailure(queue="reports", func="workers.reports.build", args=[7], error="x")
    db.session.add(failure)
    db.session.commit()
    client = login_as(StaffFactory(roles=[Role.FINANCE]))
    resp = client.post(f"{PAGE}failures/{failure.id}/delete", data={"csrf_token": csrf_token_from(client, "/staff/")})
    assert resp.status_code == 403
    assert db.session.get(JobFailure, failure.id) is not None


def _webhook(status: WebhookStatus, event_id: str, received_ago: timedelta, error: str | None = None) -> None:
    db.session.add(
        WebhookEvent(
            provider="stripe",
            provider_event_id=event_id,
            type="payment_intent.succeeded",
            payload={},
            status=status,
            error=error,
            received_at=utcnow() - received_ago,
        )
    )


def test_webhook_backlog_and_failures_are_counted(login_as):
    _webhook(WebhookStatus.PENDING, "evt_1", timedelta(seconds=90))
    _webhook(WebhookStatus.PENDING, "evt_2", timedelta(seconds=10))
    _webhook(WebhookStatus.FAILED, "evt_3", timedelta(seconds=5), error="no such payment")
    db.session.commit()
    html = _admin_page(login_as)
    assert re.search(r'<p id="webhook-backlog">2 waiting to be processed, the oldest for (9\d) s; 1 failed.</p>', html)
    assert "no such payment" in html


def test_failed_and_queued_mail_are_counted(login_as):
    for status in (MailStatus.FAILED, MailStatus.QUEUED, MailStatus.SENT):
        db.session.add(
            OutgoingMail(
                to_address="a@example.org",
                subject=f"s-{status}",
                template="t",
                text_body="x",
                html_body="x",
                status=status,
                error="SMTP 550" if status == MailStatus.FAILED else None,
            )
        )
    db.session.commit()
    html = _admin_page(login_as)
    assert re.search(r'<p id="mail-summary">1 failed; 1 queued, the oldest for \d+ s.</p>', html)
    assert "SMTP 550" in html


def test_release_and_migration_revision_are_shown(login_as):
    html = _admin_page(login_as)
    head = db.session.scalar(sa.text("SELECT version_num FROM alembic_version"))
    assert f"<dt>Release</dt><dd><code>{release()}</code></dd>" in html
    assert f"<dt>Database revision</dt><dd><code>{head}</code></dd>" in html


def test_periodic_work_that_never_ran_says_so(login_as):
    html = _admin_page(login_as)
    assert "<dt>Last analytics rollup</dt><dd>never ran</dd>" in html
    assert "<dt>Newest report</dt><dd>none requested</dd>" in html


def test_a_report_still_queued_is_shown_as_queued(login_as):
    db.session.add(Report(kind="finance", period="2026-11", status=ReportStatus.QUEUED))
    db.session.commit()
    html = _admin_page(login_as)
    assert "<dt>Newest report</dt><dd>finance 2026-11: queued</dd>" in html
    assert "<dt>Last report finished</dt><dd>none finished</dd>" in html
