"""Background jobs: rq on Redis when REDIS_URL is set, otherwise inline in the same process.

Jobs are named by dotted path ("workers.mail.deliver_mail") and take ids, never objects.
Failures are recorded as JobFailure rows by both backends so the console shows them.
"""

from __future__ import annotations

import importlib
import logging
import traceback
import uuid
from datetime import datetime
from typing import Any, Protocol

from flask import current_app

log = logging.getLogger(__name__)

ENQUEUE_FAILED = "Could not enqueue the job:"  # JobFailure.error of a job Redis never received
DEFAULT_RETRY_INTERVALS = (10, 60, 300)  # seconds between rq retries (backoff); JOB_RETRY_INTERVALS


def resolve(path: str):
    """Import 'package.module.func' and return the function."""
    module_name, _, func_name = path.rpartition(".")
    return getattr(importlib.import_module(module_name), func_name)


def record_failure(queue: str, func: str, args: list, error: str, job_id: str | None) -> None:
    """Store a JobFailure row in its own transaction."""
    from app.core.models import JobFailure
    from app.extensions import db

    db.session.rollback()
    db.session.add(JobFailure(queue=queue, func=func, args=list(args), error=error[-8000:], job_id=job_id))
    db.session.commit()


class JobQueue(Protocol):
    """What every jobs backend offers."""

    def enqueue(self, func: str, *args: Any, queue: str = "default", at: datetime | None = None) -> str: ...
    def cancel(self, job_id: str) -> None: ...
    def status(self) -> dict: ...


class InlineJobs:
    """Runs each job at once, in-process; scheduled jobs are run immediately only if due."""

    def enqueue(self, func: str, *args: Any, queue: str = "default", at: datetime | None = None) -> str:
        job_id = f"inline-{uuid.uuid4().hex[:12]}"
        if at is not None:
            from app.core.db import utcnow

            if at > utcnow():
                log.info("inline jobs: %s scheduled for %s is not run (no scheduler without Redis)", func, at)
                return job_id
        try:
            resolve(func)(*args)
        except Exception:
            log.exception("inline job %s failed", func)
            record_failure(queue, func, list(args), traceback.format_exc(), job_id)
        return job_id

    def cancel(self, job_id: str) -> None:
        return None

    def status(self) -> dict:
        return {"backend": "inline", "ok": True}


def _rq_success_callback(job, connection, result) -> None:
    """rq on_success: add the job's wait and run time to its queue's histograms."""
    from app.core.queue_metrics import record_job_timing

    record_job_timing(job, connection)


def _rq_failure_callback(job, connection, exc_type, exc_value, tb) -> None:
    """rq on_failure: time the attempt; record the failure once retries are used up."""
    from app.core.queue_metrics import record_job_timing

    record_job_timing(job, connection)
    if job.retries_left:
        return
    from workers.context import app_context

    with app_context():
        record_failure(
            job.origin,
            job.func_name,
            list(job.args),
            "".join(traceback.format_exception(exc_type, exc_value, tb)),
            job.id,
        )


class RQJobs:
    """rq on Redis; `rq worker --with-scheduler` runs them, with retries and backoff."""

    def __init__(
        self, url: str, retry_intervals: list[int] | tuple[int, ...] = DEFAULT_RETRY_INTERVALS, timeout: int = 600
    ):
        from redis import Redis

        self.connection = Redis.from_url(url, socket_connect_timeout=3, socket_timeout=10)
        self.retry_intervals = list(retry_intervals)
        self.timeout = timeout

    def _queue(self, name: str):
        from rq import Queue

        return Queue(name, connection=self.connection)

    def enqueue(self, func: str, *args: Any, queue: str = "default", at: datetime | None = None) -> str:
        """Put the job on its queue (or schedule it); retried once per JOB_RETRY_INTERVALS entry."""
        from rq import Callback, Retry

        from app.core.request_id import current_request_id

        options: dict[str, Any] = dict(
            on_success=Callback(_rq_success_callback),
            on_failure=Callback(_rq_failure_callback),
            meta={"request_id": current_request_id()},
            failure_ttl=7 * 24 * 3600,
            job_timeout=self.timeout,
        )
        if self.retry_intervals:
            options["retry"] = Retry(max=len(self.retry_intervals), interval=self.retry_intervals)
        q = self._queue(queue)
        job = q.enqueue_at(at, func, *args, **options) if at else q.enqueue(func, *args, **options)
        return job.id

    def cancel(self, job_id: str) -> None:
        from rq.exceptions import NoSuchJobError
        from rq.job import Job

        try:
            Job.fetch(job_id, connection=self.connection).cancel()
        except NoSuchJobError:
            pass

    def status(self) -> dict:
        """Whether Redis answers, how many rq workers are live (a recent heartbeat) and how many are
        registered but silent (killed, or stuck)."""
        from app.core.queue_metrics import live_worker_counts

        try:
            self.connection.ping()
            live, unresponsive = live_worker_counts(self.connection)
            return {"backend": "rq", "ok": True, "workers": live, "workers_unresponsive": unresponsive}
        except Exception as exc:  # noqa: BLE001 - any connection failure means "down"
            return {"backend": "rq", "ok": False, "error": exc.__class__.__name__}


def build_jobs(config) -> JobQueue:
    """rq when REDIS_URL is set, inline otherwise."""
    if not config.get("REDIS_URL"):
        return InlineJobs()
    return RQJobs(
        config["REDIS_URL"],
        retry_intervals=config.get("JOB_RETRY_INTERVALS", DEFAULT_RETRY_INTERVALS),
        timeout=config.get("JOB_TIMEOUT", 600),
    )


def jobs() -> JobQueue:
    """The current app's jobs backend."""
    return current_app.extensions["jobs"]


def enqueue_or_record(func: str, *args: Any, queue: str = "default") -> str | None:
    """Enqueue a job; when the queue is unreachable, record a JobFailure (retryable from the console).

    Used after a commit: the data is saved by then, so an unreachable Redis must not turn the
    request into an error page, and the job must not be lost silently.
    """
    try:
        return jobs().enqueue(func, *args, queue=queue)
    except Exception:  # noqa: BLE001 - Redis down, timeouts: the job is kept as a failure row
        log.exception("could not enqueue %s%r on %s", func, args, queue)
        record_failure(queue, func, list(args), ENQUEUE_FAILED + "\n" + traceback.format_exc(), None)
        return None


def enqueue_after_commit(func: str, *args: Any, queue: str = "default") -> None:
    """Enqueue a job once the current transaction commits (the usual way services start jobs)."""
    from app.core.effects import on_commit

    on_commit(enqueue_or_record, func, *args, queue=queue)
