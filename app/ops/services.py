"""Operations state changes from the System page: deleting a failed job that will not be retried."""

from __future__ import annotations

from app.accounts.models import Role, User
from app.core import audit
from app.core.effects import commit
from app.core.errors import PermissionDenied
from app.core.models import JobFailure
from app.extensions import db


def delete_failed_job(failure: JobFailure, actor: User) -> None:
    """Remove a failed job from the console (admins only); the audit log keeps what it was."""
    if not actor.has_role(Role.ADMIN):
        raise PermissionDenied("Only admins delete failed jobs.")
    error = failure.error.strip().splitlines()
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
    commit()
