"""Drill: an rq worker killed with SIGKILL in the middle of a job (report, mail): rq's registry
cleanup gives the abandoned job its retry, and the retry has the effect once (one report's
files, one mail at the SMTP server).

The kill point is made deterministic by holding the job's row lock from the test: the worker is
then stuck inside the job, waiting on PostgreSQL, when it is killed (the report after its
first step, the mail before its SMTP conversation; a kill after the SMTP server accepted a mail
but before the row says SENT would send it twice: SMTP has no idempotency key).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import time
from pathlib import Path

import sqlalchemy as sa
from rq import Queue
from rq.registry import StartedJobRegistry

from app.analytics.models import Report, ReportStatus
from app.core.jobs import RQJobs
from app.core.models import MailStatus, OutgoingMail
from app.extensions import db
from tests.conftest import TEST_DATABASE_URL
from tests.ops.rq_processes import gone, kill_with_horses
from tests.services import _bin

ROOT = Path(__file__).resolve().parents[2]


def _worker_env(uploads: Path, **extra: str) -> dict:
    return {
        **os.environ,
        "APP_ENV": "testing",
        "TEST_DATABASE_URL": TEST_DATABASE_URL,
        "INSTANCE_PATH": str(uploads.parent / "instance"),
        "UPLOAD_FOLDER": str(uploads),
        **extra,
    }


@contextlib.contextmanager
def row_locked(table: str, row_id: int):
    """Hold `SELECT ... FOR UPDATE` on one row from a separate connection until the block ends."""
    engine = sa.create_engine(TEST_DATABASE_URL)
    conn = engine.connect()
    conn.execute(sa.text(f'SELECT id FROM "{table}" WHERE id = :id FOR UPDATE'), {"id": row_id})
    try:
        yield
    finally:
        conn.rollback()
        conn.close()
        engine.dispose()


def _wait_until_blocked(seconds: float = 30) -> None:
    engine = sa.create_engine(TEST_DATABASE_URL)
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
            with engine.connect() as conn:
                waiting = conn.execute(sa.text("SELECT count(*) FROM pg_locks WHERE NOT granted")).scalar_one()
            if waiting:
                return
            time.sleep(0.1)
    finally:
        engine.dispose()
    raise AssertionError("the worker never reached the locked row")


def _kill_worker_mid_job(redis_url: str, queue: str, env: dict, table: str, row_id: int) -> None:
    """Start `rq worker`, let it block inside the job on the row lock, SIGKILL it and its horse."""
    with row_locked(table, row_id):
        worker = subprocess.Popen(
            [_bin("rq"), "worker", "--url", redis_url, queue],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        horses = []
        try:
            _wait_until_blocked()
        finally:
            horses = kill_with_horses(worker)
        # The job's horse must be dead before the lock goes, or it would finish the job itself and
        # the drill would not test a retry at all.
        assert horses and gone(horses), horses


def _recover_and_run(redis, redis_url: str, queue: str, env: dict) -> subprocess.CompletedProcess:
    """What rq's maintenance does once the dead worker's heartbeat has expired, then a fresh worker."""
    StartedJobRegistry(queue, connection=redis).cleanup(timestamp=time.time() + 10**6)
    assert Queue(queue, connection=redis).count == 1  # the abandoned job got its retry
    return subprocess.run(
        [_bin("rq"), "worker", "--burst", "--url", redis_url, queue],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_report_job_killed_midway_is_built_once_on_retry(app, redis, redis_url, tmp_path):
    uploads = tmp_path / "uploads"
    report = Report(kind="verification", period="2026-10", status=ReportStatus.QUEUED)
    db.session.add(report)
    db.session.commit()
    RQJobs(redis_url, retry_intervals=[0]).enqueue("workers.reports.build_report", report.id, queue="reports")
    env = _worker_env(uploads)
    _kill_worker_mid_job(redis_url, "reports", env, "reports", report.id)
    db.session.expire_all()
    assert db.session.get(Report, report.id).status == ReportStatus.QUEUED  # the kill left nothing half done
    done = _recover_and_run(redis, redis_url, "reports", env)
    assert done.returncode == 0, done.stderr
    db.session.expire_all()
    built = db.session.get(Report, report.id)
    files = sorted(p.relative_to(uploads).as_posix() for p in uploads.rglob("*") if p.is_file())
    assert (built.status, files) == (ReportStatus.DONE, sorted([built.pdf_key, built.csv_key]))


def test_a_mail_job_killed_midway_sends_one_mail_on_retry(app, redis, redis_url, smtp_server, tmp_path):
    host, port, handler = smtp_server
    before = len(handler.messages)
    mail = OutgoingMail(
        to_address="killed-worker@example.org",
        subject="Welcome",
        template="welcome",
        text_body="Hi",
        html_body="<p>Hi</p>",
    )
    db.session.add(mail)
    db.session.commit()
    env = _worker_env(tmp_path / "uploads", MAIL_BACKEND="smtp", SMTP_HOST=host, SMTP_PORT=str(port))
    RQJobs(redis_url, retry_intervals=[0]).enqueue("workers.mail.deliver_mail", mail.id, queue="mail")
    _kill_worker_mid_job(redis_url, "mail", env, "outgoing_mails", mail.id)
    done = _recover_and_run(redis, redis_url, "mail", env)
    assert done.returncode == 0, done.stderr
    db.session.expire_all()
    assert db.session.get(OutgoingMail, mail.id).status == MailStatus.SENT
    assert [m["To"] for m in handler.messages[before:]] == ["killed-worker@example.org"]
