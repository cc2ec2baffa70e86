"""Sending and reading messages between a client and a coach."""

from __future__ import annotations

import sqlalchemy as sa

from app.accounts.models import Role, User
from app.core import audit
from app.core.db import utcnow
from app.core.effects import commit
from app.core.errors import NotFound, ValidationFailed
from app.core.mail import external_url, queue_mail
from app.extensions import db
from app.messaging.models import Message, MessageThread
from app.moderation.rules import ensure_can_post

MAX_LENGTH = 5000


def is_participant(thread: MessageThread, user: User) -> bool:
    """The client and the coach of the thread are its only readers."""
    return user.id in (thread.client_id, thread.coach_user_id)


def thread_between(client: User, coach_user: User) -> MessageThread | None:
    """The existing thread of this pair, if any."""
    return db.session.scalar(
        sa.select(MessageThread).where(
            MessageThread.client_id == client.id, MessageThread.coach_user_id == coach_user.id
        )
    )


def _clean_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise ValidationFailed("Write a message first.", fields={"body": "Write a message first."})
    if len(body) > MAX_LENGTH:
        raise ValidationFailed(
            f"Keep messages under {MAX_LENGTH} characters.", fields={"body": f"At most {MAX_LENGTH} characters."}
        )
    return body


def _post(thread: MessageThread, sender: User, recipient: User, body: str) -> Message:
    had_unread = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Message)
        .where(Message.thread_id == thread.id, Message.recipient_id == recipient.id, Message.read_at.is_(None))
    )
    message = Message(thread_id=thread.id, sender_id=sender.id, recipient_id=recipient.id, body=body)
    thread.last_message_at = utcnow()
    db.session.add(message)
    db.session.flush()
    audit.record(sender, "message.sent", message, after={"thread_id": thread.id, "length": len(body)})
    if not had_unread:  # one notification per unread streak, not one per message
        queue_mail(
            recipient.email,
            "message_received",
            f"New message from {sender.full_name}",
            {
                "recipient": recipient,
                "sender": sender,
                "thread_url": external_url("messaging.thread", thread_id=thread.id),
            },
        )
    return message


def start_conversation(client: User, coach_user: User, body: str) -> MessageThread:
    """A client writes to a coach; reuses their thread if one exists."""
    ensure_can_post(client)
    if not coach_user.has_role(Role.COACH):
        raise NotFound("No such coach.")
    if client.id == coach_user.id:
        raise ValidationFailed("You cannot message yourself.")
    body = _clean_body(body)
    thread = thread_between(client, coach_user)
    if thread is None:
        thread = MessageThread(client_id=client.id, coach_user_id=coach_user.id)
        db.session.add(thread)
        db.session.flush()
    _post(thread, client, coach_user, body)
    commit()
    return thread


def send_message(thread: MessageThread, sender: User, body: str) -> Message:
    """Reply in a thread the sender takes part in."""
    if not is_participant(thread, sender):
        raise NotFound("No such conversation.")
    ensure_can_post(sender)
    body = _clean_body(body)
    recipient_id = thread.coach_user_id if sender.id == thread.client_id else thread.client_id
    message = _post(thread, sender, db.session.get(User, recipient_id), body)
    commit()
    return message


def mark_read(thread: MessageThread, reader: User) -> int:
    """Mark the reader's unread messages in the thread as read; returns how many."""
    if not is_participant(thread, reader):
        raise NotFound("No such conversation.")
    result = db.session.execute(
        sa.update(Message)
        .where(Message.thread_id == thread.id, Message.recipient_id == reader.id, Message.read_at.is_(None))
        .values(read_at=utcnow())
    )
    commit()
    return result.rowcount


def unread_count(user: User) -> int:
    """Messages waiting for this user."""
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Message)
        .where(Message.recipient_id == user.id, Message.read_at.is_(None), Message.is_hidden.is_(False))
    )
