"""Operations state changes: deleting a failed job, re-enqueueing jobs Redis never received."""

from __future__ import annotations

import logging

import sqlalchemy as sa

from app.accounts.models import Role, User
from app.core import audit
from app.core.db import utcnow
from app.core.effects import transaction
from app.core.errors import PermissionDenied
from app.core.jobs import ENQUEUE_FAILED, jobs
from app.core.models import JobFailure
from app.extensions import db

log = logging.getLogger(__name__)


def delete_failed_job(failure: JobFailure, actor: User) -> None:
    """Remove a failed job from the console (admins only); the audit log keeps what it was."""
    if not actor.has_role(Role.ADMIN):
        raise PermissionDenied("Only admins delete failed jobs.")
    error = failure.error.strip().splitlines()
    with transaction():
        audit.record(
            actor,
            "job.deleted",
            failure,
            before={
                "func": failure.func,
                "args": failure.args,
                "queue": failure.queue,
                "error": error[-1] if error else "",
            },
        )
        db.session.delete(failure)


def requeue_unsent_jobs(limit: int = 500) -> int:
    """Enqueue the jobs that could not reach Redis (oldest first); stops at the first that still fails.

    Run by the clock every minute, so work started while Redis was down is done once it is back.
    Each row is marked as retried in its own commit right after its enqueue (jobs are idempotent).
    """
    pending = db.session.scalars(
        sa.select(JobFailure)
        .where(
            JobFailure.retried_at.is_(None), JobFailure.job_id.is_(None), JobFailure.error.startswith(ENQUEUE_FAILED)
        )
        .order_by(JobFailure.id)
        .limit(limit)
    ).all()
    done = 0
    for failure in pending:
        try:
            failure.job_id = jobs().enqueue(failure.func, *failure.args, queue=failure.queue)
        except Exception:  # noqa: BLE001 - Redis still down: the rows wait for the next run
            log.warning("Redis still unreachable; %s jobs wait", len(pending) - done)
            db.session.rollback()
            break
        with transaction():
            failure.retried_at = utcnow()
            audit.record(None, "job.requeued", failure, after={"func": failure.func, "args": failure.args})
        done += 1
    return done
