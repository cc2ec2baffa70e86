"""An rq worker builds the app once, before it forks a work horse per job (issue 22, 6).

Each job used to build the whole app in its horse (8-16 s per job under load). The real worker
(`rq worker -c workers.rq_settings`) runs 100 mail jobs here against aiosmtpd; the time it took is
printed for the record (no timed assertion), and `make bench` reports jobs per second.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

from rq.job import Job

from app.core.jobs import RQJobs
from app.core.models import MailStatus, OutgoingMail
from app.extensions import db
from tests.conftest import TEST_DATABASE_URL
from tests.services import _bin

ROOT = Path(__file__).resolve().parents[2]
MAILS = 100


def _burst(redis_url: str, env: dict, *queues: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [_bin("rq"), "worker", "--burst", "-c", "workers.rq_settings", "--url", redis_url, *queues],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_a_hundred_mail_jobs_run_in_horses_that_inherit_the_workers_app(app, redis, redis_url, smtp_server, tmp_path):
    host, port, handler = smtp_server
    before = len(handler.messages)
    mails = [
        OutgoingMail(
            to_address=f"worker-{n}@example.org",
            subject="Hi",
            template="welcome",
            text_body="Hi",
            html_body="<p>Hi</p>",
        )
        for n in range(MAILS)
    ]
    db.session.add_all(mails)
    db.session.commit()
    jobs = RQJobs(redis_url, retry_intervals=[])
    for mail in mails:
        jobs.enqueue("workers.mail.deliver_mail", mail.id, queue="mail")
    probes = [jobs.enqueue("tests.ops.app_once_jobs.where_built", queue="mail") for _ in range(2)]
    env = {
        **os.environ,
        "APP_ENV": "testing",
        "TEST_DATABASE_URL": TEST_DATABASE_URL,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "MAIL_BACKEND": "smtp",
        "SMTP_HOST": host,
        "SMTP_PORT": str(port),
    }
    started = time.monotonic()
    done = _burst(redis_url, env, "mail")
    took = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    print(f"\n{MAILS} mail jobs on one rq worker: {took:.1f} s ({MAILS / took:.1f} jobs/s, worker start included)")
    db.session.expire_all()
    statuses = {db.session.get(OutgoingMail, m.id).status for m in mails}
    assert (statuses, len(handler.messages) - before) == ({MailStatus.SENT}, MAILS)
    (horse_a, built_a), (horse_b, built_b) = (Job.fetch(j, connection=redis).return_value() for j in probes)
    assert horse_a != horse_b  # each job ran in its own fork ...
    assert built_a == built_b and built_a not in (horse_a, horse_b)  # ... of the worker that built the app
