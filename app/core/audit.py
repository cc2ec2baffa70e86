"""The audit log: services call record() in the same transaction as the change."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import has_request_context, request

from app.core.models import AuditLog
from app.extensions import db


def _client_ip() -> str | None:
    if not has_request_context():
        return None
    return request.remote_addr


def record(
    actor: Any,
    action: str,
    obj: Any,
    before: dict | None = None,
    after: dict | None = None,
    at: datetime | None = None,
) -> AuditLog:
    """Add an audit row for `action` by `actor` on `obj` (a model instance); flushes, never commits.

    `at` backdates the row (demo data recording what happened when); services leave it unset."""
    if getattr(obj, "id", None) is None:
        db.session.flush()
    entry = AuditLog(
        actor_id=getattr(actor, "id", None),
        action=action,
        object_type=obj.__tablename__,
        object_id=str(obj.id),
        before=before,
        after=after,
        ip_address=_client_ip(),
    )
    if at is not None:
        entry.created_at = at
    db.session.add(entry)
    db.session.flush()
    return entry
