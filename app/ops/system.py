"""What the staff System page shows: queues, failed jobs, webhooks, mail, migrations, version, last runs.

Every part says what it knows: "Redis unreachable" is shown as such, never as empty queues.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from app.analytics.models import DailyRollup, Report, ReportStatus
from app.core.models import JobFailure, MailStatus, OutgoingMail
from app.extensions import db
from app.payments.bookkeeping import WebhookEvent, WebhookStatus

RECENT = 10  # failures listed per section


@dataclass(frozen=True)
class QueuesState:
    """rq as seen now: backend, whether Redis answered, queues and workers."""

    backend: str  # "rq" | "inline"
    reachable: bool
    error: str | None
    queues: list  # QueueStats
    workers: dict[str, int]
    open_failures: dict[str, int]  # unretried JobFailure rows per queue


def _open_failures() -> dict[str, int]:
    rows = db.session.execute(
        sa.select(JobFailure.queue, sa.func.count()).where(JobFailure.retried_at.is_(None)).group_by(JobFailure.queue)
    ).all()
    return dict(rows)


def queues_state() -> QueuesState:
    """The jobs backend, each queue's depth, oldest job and failures, and the workers by state."""
    from app.core.queue_metrics import queue_stats, worker_states

    failures = _open_failures()
    connection = getattr(current_app.extensions["jobs"], "connection", None)
    if connection is None:
        return QueuesState("inline", True, None, [], {}, failures)
    try:
        return QueuesState("rq", True, None, queue_stats(connection), worker_states(connection), failures)
    except Exception as exc:  # noqa: BLE001 - Redis down: the page says so
        return QueuesState("rq", False, exc.__class__.__name__, [], {}, failures)


def recent_job_failures() -> list[JobFailure]:
    """The latest failed jobs not yet retried."""
    return list(
        db.session.scalars(
            sa.select(JobFailure)
            .where(JobFailure.retried_at.is_(None))
            .order_by(JobFailure.created_at.desc(), JobFailure.id.desc())
            .limit(RECENT)
        )
    )


def _count(model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where)) or 0


def _oldest(column, *where):
    """When the oldest row matching `where` was written (None when there is none)."""
    return db.session.scalar(sa.select(sa.func.min(column)).where(*where))


def _latest(model, column, *where) -> list:
    """The RECENT latest rows matching `where`, newest first by `column`."""
    return list(db.session.scalars(sa.select(model).where(*where).order_by(column.desc()).limit(RECENT)))


def webhook_state() -> dict:
    """Pending backlog (count, oldest), failures (count, latest)."""
    pending, failed = WebhookEvent.status == WebhookStatus.PENDING, WebhookEvent.status == WebhookStatus.FAILED
    return {
        "pending": _count(WebhookEvent, pending),
        "oldest_pending_at": _oldest(WebhookEvent.received_at, pending),
        "failed": _count(WebhookEvent, failed),
        "recent_failed": _latest(WebhookEvent, WebhookEvent.received_at, failed),
    }


def mail_state() -> dict:
    """Failed mails (count, latest) and mails still queued (count, oldest)."""
    failed, queued = OutgoingMail.status == MailStatus.FAILED, OutgoingMail.status == MailStatus.QUEUED
    return {
        "failed": _count(OutgoingMail, failed),
        "queued": _count(OutgoingMail, queued),
        "oldest_queued_at": _oldest(OutgoingMail.created_at, queued),
        "recent_failed": _latest(OutgoingMail, OutgoingMail.created_at, failed),
    }


@dataclass(frozen=True)
class Versions:
    """The code's release and migration head against the database's revision."""

    release: str | None
    code_heads: tuple[str, ...]
    database_revisions: tuple[str, ...]

    @property
    def migrations_current(self) -> bool:
        """True when the database is at the code's head."""
        return self.code_heads == self.database_revisions


def versions() -> Versions:
    """Release (git sha) and migration revisions."""
    from app.core.error_tracking import release
    from app.ops.readiness import migration_heads

    heads = migration_heads(str(Path(current_app.root_path).parent / "migrations"))
    rows = db.session.execute(sa.text("SELECT version_num FROM alembic_version")).all()
    return Versions(release(), heads, tuple(sorted(r[0] for r in rows)))


@dataclass(frozen=True)
class LastRuns:
    """When the periodic work last ran."""

    rollup_at: datetime | None
    report: Report | None  # the newest report, whatever its state
    report_done_at: datetime | None
    reports_waiting: int  # queued or running
    reports_failed: int


def last_runs() -> LastRuns:
    """The last analytics rollup refresh and report runs."""
    return LastRuns(
        db.session.scalar(sa.select(sa.func.max(DailyRollup.refreshed_at))),
        db.session.scalar(sa.select(Report).order_by(Report.created_at.desc(), Report.id.desc()).limit(1)),
        db.session.scalar(sa.select(sa.func.max(Report.finished_at)).where(Report.status == ReportStatus.DONE)),
        _count(Report, Report.status.in_((ReportStatus.QUEUED, ReportStatus.RUNNING))),
        _count(Report, Report.status == ReportStatus.FAILED),
    )
