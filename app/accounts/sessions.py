"""A user's signed-in browser sessions: list them, end one, end the others, end them all.

Ending a session deletes its `browser_sessions` row, so the browser holding its cookie is logged
out on its next request. Other domains (password change, account settings) call these services.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from app.accounts.models import BrowserSession, User
from app.accounts.session_store import current_session_id
from app.core import audit
from app.core.db import utcnow
from app.core.effects import transaction
from app.core.errors import NotFound
from app.extensions import db


@dataclass(frozen=True)
class ActiveSession:
    """One signed-in browser, as a settings page shows it."""

    id: int
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime  # the sooner of the idle and the absolute limit
    user_agent: str
    ip_address: str
    is_current: bool


def active_sessions(user: User) -> list[ActiveSession]:
    """The user's live sessions, most recently seen first; `is_current` marks this request's."""
    now, current = utcnow(), current_session_id()
    rows = db.session.scalars(
        sa.select(BrowserSession)
        .where(BrowserSession.user_id == user.id)
        .order_by(BrowserSession.last_seen_at.desc(), BrowserSession.id.desc())
    ).all()
    return [
        ActiveSession(
            id=row.id,
            created_at=row.created_at,
            last_seen_at=row.last_seen_at,
            expires_at=min(row.idle_expires_at, row.expires_at),
            user_agent=row.user_agent,
            ip_address=row.ip_address,
            is_current=row.id == current,
        )
        for row in rows
        if row.is_live(now)
    ]


def drop_sessions(user: User, keep: int | None = None) -> int:
    """Delete the user's sessions except `keep` inside the caller's transaction (never commits)."""
    return _delete(user, *([BrowserSession.id != keep] if keep is not None else []))


def _delete(user: User, *conditions) -> int:
    result = db.session.execute(
        sa.delete(BrowserSession).where(BrowserSession.user_id == user.id, *conditions),
        execution_options={"synchronize_session": False},
    )
    return result.rowcount or 0


def end_session(user: User, session_id: int, actor: User | None = None) -> None:
    """End one of the user's sessions (by `ActiveSession.id`); NotFound when it is not theirs."""
    with transaction():
        if not _delete(user, BrowserSession.id == session_id):
            raise NotFound("No such session.")
        audit.record(actor or user, "user.session_ended", user, after={"session_id": session_id})


def end_other_sessions(user: User, keep: int | None, actor: User | None = None, reason: str = "") -> int:
    """End every session of the user except `keep` (usually `current_session_id()`); returns how many."""
    with transaction():
        ended = drop_sessions(user, keep)
        if ended:
            audit.record(actor or user, "user.sessions_ended", user, after={"count": ended, "reason": reason or None})
    return ended


def end_all_sessions(user: User, actor: User | None = None, reason: str = "") -> int:
    """End every session of the user, this request's included; returns how many."""
    return end_other_sessions(user, keep=None, actor=actor, reason=reason)
