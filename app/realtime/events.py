"""Appending to and reading from the per-user event log.

Ids come from one sequence, but a writer first takes a per-user transaction lock (PostgreSQL
advisory lock) and holds it until it commits; so for one user, ids become visible in increasing
order, and a reader's cursor (the last id it saw) never skips an event committed later.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from app.core.db import utcnow
from app.core.effects import on_commit, transaction
from app.extensions import db
from app.realtime.models import UserEvent

LOCK_CLASS = 0x5E5E  # first key of pg_advisory_xact_lock(int, int): the event log's lock space
PAGE = 200


def _lock_users(user_ids: list[int]) -> None:
    """Hold each user's event lock until this transaction ends (sorted: no deadlock between writers)."""
    if db.engine.dialect.name != "postgresql" or not user_ids:
        return  # SQLite runs one writer at a time
    # One statement: PostgreSQL evaluates a select list left to right, so the locks come in id order.
    locks = ", ".join(f"pg_advisory_xact_lock(:c, :u{i})" for i in range(len(user_ids)))
    params = {"c": LOCK_CLASS, **{f"u{i}": user_id for i, user_id in enumerate(user_ids)}}
    db.session.execute(sa.text(f"SELECT {locks}"), params)


def append(type_: str, payloads: dict[int, dict]) -> list[UserEvent]:
    """Add one event of `type_` per user id in `payloads` (its JSON payload); see append_many."""
    return append_many([(user_id, type_, payload) for user_id, payload in payloads.items()])


def append_many(items: list[tuple[int, str, dict]]) -> list[UserEvent]:
    """Add events (user id, type, payload) and wake their users' streams after the commit.

    Call it once per transaction, after the transaction's other locks: it takes the users' event
    locks in id order and holds them until the commit. Flushes only; the caller commits.
    """
    users = sorted({user_id for user_id, _, _ in items})
    _lock_users(users)
    rows = [UserEvent(user_id=user_id, type=type_, payload=payload) for user_id, type_, payload in items]
    db.session.add_all(rows)
    db.session.flush()
    from app.realtime.bus import bus

    on_commit(bus().publish, users)
    return rows


def head(user_id: int) -> int:
    """The id of the user's latest event (0 when none): where a freshly rendered page starts."""
    return db.session.scalar(sa.select(sa.func.max(UserEvent.id)).where(UserEvent.user_id == user_id)) or 0


def after(user_id: int, cursor: int, limit: int = PAGE) -> list[UserEvent]:
    """The user's events with an id above the cursor, oldest first."""
    return list(
        db.session.scalars(
            sa.select(UserEvent)
            .where(UserEvent.user_id == user_id, UserEvent.id > cursor)
            .order_by(UserEvent.id)
            .limit(limit)
        )
    )


def cursor_is_replayable(user_id: int, cursor: int) -> bool:
    """Whether every event after `cursor` is still kept: the cursor is 0 or one of the user's events
    inside the retention window; anything else (pruned, foreign, made up) needs a resync."""
    if cursor == 0:
        return True
    created = db.session.scalar(
        sa.select(UserEvent.created_at).where(UserEvent.user_id == user_id, UserEvent.id == cursor)
    )
    window = timedelta(days=current_app.config["EVENTS_RETENTION_DAYS"])
    return created is not None and created >= utcnow() - window


def prune(now=None) -> int:
    """Delete events older than the retention window; returns how many."""
    cutoff = (now or utcnow()) - timedelta(days=current_app.config["EVENTS_RETENTION_DAYS"])
    with transaction():
        result = db.session.execute(sa.delete(UserEvent).where(UserEvent.created_at < cutoff))
    return result.rowcount
