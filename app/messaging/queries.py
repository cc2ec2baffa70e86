"""Reading threads and messages for a participant: the inbox with unread counts, a page of messages."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import aliased, joinedload

from app.accounts.models import User
from app.core.pagination import decode_cursor, encode_cursor
from app.extensions import db
from app.messaging.models import Message, MessageThread, ThreadParticipant

PAGE = 50


@dataclass
class InboxRow:
    """One thread in a user's inbox."""

    thread: MessageThread
    other: User
    unread: int
    last_message: Message | None


def _visible_to(user_id: int):
    """Messages a participant sees: everything not hidden, plus their own held messages."""
    return sa.or_(Message.is_hidden.is_(False), Message.sender_id == user_id)


def inbox(user: User, cursor: str | None = None, limit: int = PAGE) -> tuple[list[InboxRow], str | None]:
    """The user's threads, latest activity first, with unread counts and last messages (3 queries)."""
    other = aliased(User)
    me = aliased(ThreadParticipant)
    unread = (
        sa.select(sa.func.count(Message.id))
        .where(
            Message.thread_id == MessageThread.id,
            Message.id > sa.func.coalesce(me.last_read_message_id, 0),
            Message.sender_id != user.id,
            Message.is_hidden.is_(False),
        )
        .scalar_subquery()
    )
    other_id = sa.case((MessageThread.client_id == user.id, MessageThread.coach_user_id), else_=MessageThread.client_id)
    activity = sa.func.coalesce(MessageThread.last_message_at, MessageThread.created_at)
    stmt = (
        sa.select(MessageThread, other, unread.label("unread"), activity.label("activity"))
        .join(other, other.id == other_id)
        .outerjoin(me, sa.and_(me.thread_id == MessageThread.id, me.user_id == user.id))
        .where(sa.or_(MessageThread.client_id == user.id, MessageThread.coach_user_id == user.id))
        .options(joinedload(MessageThread.booking))
        .order_by(activity.desc(), MessageThread.id.desc())
        .limit(limit + 1)
    )
    after = decode_cursor(cursor)
    if after and len(after) == 2 and isinstance(after[1], int):
        from datetime import datetime

        try:
            moment = datetime.fromisoformat(str(after[0]))
        except ValueError:
            moment = None
        if moment is not None:
            stmt = stmt.where(sa.tuple_(activity, MessageThread.id) < sa.tuple_(sa.literal(moment), after[1]))
    rows = db.session.execute(stmt).all()
    more = len(rows) > limit
    rows = rows[:limit]
    last = _last_messages([r[0].id for r in rows], user.id)
    items = [InboxRow(r[0], r[1], r[2], last.get(r[0].id)) for r in rows]
    next_cursor = encode_cursor([rows[-1][3].isoformat(), rows[-1][0].id]) if more and rows else None
    return items, next_cursor


def _last_messages(thread_ids: list[int], user_id: int) -> dict[int, Message]:
    if not thread_ids:
        return {}
    latest = (
        sa.select(sa.func.max(Message.id))
        .where(Message.thread_id.in_(thread_ids), _visible_to(user_id))
        .group_by(Message.thread_id)
    )
    return {m.thread_id: m for m in db.session.scalars(sa.select(Message).where(Message.id.in_(latest)))}


def messages_page(
    thread: MessageThread, user: User, *, before: int | None = None, after: int | None = None, limit: int = PAGE
) -> tuple[list[Message], bool]:
    """Up to `limit` messages, oldest first: the latest, those just before `before`, or just after
    `after`; and whether more lie beyond in that direction."""
    stmt = sa.select(Message).where(Message.thread_id == thread.id, _visible_to(user.id))
    if after is not None:
        stmt = stmt.where(Message.id > after).order_by(Message.id)
    else:
        if before is not None:
            stmt = stmt.where(Message.id < before)
        stmt = stmt.order_by(Message.id.desc())
    rows = list(db.session.scalars(stmt.limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return (rows if after is not None else rows[::-1]), more


def watermarks(thread: MessageThread) -> dict[int, ThreadParticipant]:
    """Each participant's row, by user id."""
    rows = db.session.scalars(sa.select(ThreadParticipant).where(ThreadParticipant.thread_id == thread.id))
    return {row.user_id: row for row in rows}
