"""Staff console state changes that belong to no single domain: retrying failed jobs, opening a timeline."""

from __future__ import annotations

from app.accounts.models import Role, User
from app.core import audit
from app.core.db import utcnow
from app.core.effects import commit
from app.core.errors import InvalidState, PermissionDenied
from app.core.jobs import enqueue_after_commit
from app.core.models import JobFailure
from app.staff.timeline import VIEWED


def open_person_timeline(person: User, actor: User, sections: list[str]) -> None:
    """Record that a staff member opened a person's timeline, and which sections it showed."""
    if not actor.is_staff:
        raise PermissionDenied("Only staff open a person's timeline.")
    audit.record(actor, VIEWED, person, after={"sections": sections})
    commit()


def retry_failed_job(failure: JobFailure, actor: User) -> None:
    """Enqueue a failed job again (admins only); each failure is retried once from the console."""
    if not actor.has_role(Role.ADMIN):
        raise PermissionDenied("Only admins retry jobs.")
    if failure.retried_at is not None:
        raise InvalidState("This job was already retried.")
    failure.retried_at = utcnow()
    audit.record(actor, "job.retried", failure, after={"func": failure.func, "args": failure.args})
    enqueue_after_commit(failure.func, *failure.args, queue=failure.queue)
    commit()
