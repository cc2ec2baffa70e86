"""Sending messages, read and delivery watermarks, unread counts.

Each message is written under its thread's row lock, so a thread's message ids grow in commit
order and a watermark ("everything up to id N") never covers a message its reader could not see.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence

import sqlalchemy as sa

from app.accounts.models import User
from app.core import audit
from app.core.db import utcnow
from app.core.effects import transaction
from app.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from app.core.ids import fits
from app.core.roles import MODERATOR_ROLES
from app.core.uploads import Upload
from app.extensions import db
from app.messaging import attachments
from app.messaging.models import Message, MessageAttachment, MessageThread, ThreadParticipant
from app.messaging.payloads import message_json
from app.messaging.threads import open_enquiry, participant
from app.moderation.rules import ensure_can_post, matching_watched_words
from app.notifications.services import mark_subject_read, notify
from app.notifications.sources import path_for
from app.realtime import events

MAX_LENGTH = 5000
PREVIEW = 140  # characters of a message its notification shows
CLIENT_MSG_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


def _clean_body(body, may_be_empty: bool = False) -> str:
    body = (body or "").strip() if isinstance(body, str) else ""
    if not body and not may_be_empty:
        raise ValidationFailed("Write a message first.", fields={"body": "Write a message first."})
    if len(body) > MAX_LENGTH:
        raise ValidationFailed(
            f"Keep messages under {MAX_LENGTH} characters.", fields={"body": f"At most {MAX_LENGTH} characters."}
        )
    return body


def _clean_client_msg_id(value) -> str:
    if value is None or value == "":
        return uuid.uuid4().hex
    if not isinstance(value, str) or not CLIENT_MSG_ID.match(value):
        raise ValidationFailed(
            "client_msg_id is 1 to 64 letters, digits or ._:-", fields={"client_msg_id": "1-64 of A-Z a-z 0-9 . _ : -"}
        )
    return value


def _sent_before(sender: User, client_msg_id: str) -> Message | None:
    return db.session.scalar(
        sa.select(Message).where(Message.sender_id == sender.id, Message.client_msg_id == client_msg_id)
    )


def _replayed(existing: Message, thread: MessageThread, body) -> Message:
    """A retried send finds its message; the same id for another message is a client error."""
    if existing.thread_id != thread.id or existing.body != (body or "").strip():
        raise Conflict("This client_msg_id was already used for another message.", code="client_msg_id_reused")
    return existing


def _locked_thread(thread_id, sender: User) -> MessageThread:
    """The thread with its booking (the write window) in one statement, its row locked until the
    commit; NotFound unless the sender takes part in it."""
    thread = None
    if isinstance(thread_id, int) and fits(thread_id):
        thread = db.session.scalar(
            sa.select(MessageThread)
            .where(MessageThread.id == thread_id)
            .options(sa.orm.joinedload(MessageThread.booking))
            .with_for_update(of=MessageThread)
            .execution_options(populate_existing=True)
        )
    if thread is None or not thread.has_participant(sender):
        raise NotFound("No such conversation.")
    return thread


def unread_in_thread(thread_id: int, user_id: int) -> int:
    """Visible messages to `user_id` above their read watermark in one thread."""
    return db.session.scalar(_unread_query(user_id).where(Message.thread_id == thread_id)) or 0


def unread_count(user: User | int) -> int:
    """Messages waiting for this user, over all their threads."""
    return db.session.scalar(_unread_query(getattr(user, "id", user))) or 0


def _unread_counts(thread_id: int, user_id: int) -> tuple[int, int]:
    """(unread in this thread, unread in all threads) of `user_id`, in one statement."""
    count = sa.func.count(Message.id)
    return tuple(db.session.execute(_unread_query(user_id, count.filter(Message.thread_id == thread_id), count)).one())


def _unread_query(user_id: int, *columns):
    mark = ThreadParticipant
    return (
        sa.select(*(columns or [sa.func.count(Message.id)]))
        .select_from(Message)
        .outerjoin(mark, sa.and_(mark.thread_id == Message.thread_id, mark.user_id == user_id))
        .where(
            Message.recipient_id == user_id,
            Message.id > sa.func.coalesce(mark.last_read_message_id, 0),
            Message.is_hidden.is_(False),
        )
    )


def _flag_for_review(message: Message, words: list[str]) -> None:
    """A message with watched words is written hidden; its flag puts it in the moderators' queue."""
    from app.moderation.services import raise_system_flag

    raise_system_flag(message, f"Watched words: {', '.join(words)}")


def send_message(
    thread: MessageThread | int,
    sender: User,
    body,
    client_msg_id=None,
    attachment_ids: Sequence[int] = (),
    upload: Upload | None = None,
) -> tuple[Message, bool]:
    """Post a message in a thread (or a thread id) the sender takes part in; (message, created).

    It carries the sender's files uploaded to this thread (`attachment_ids`) and/or a file sent
    with the page's form (`upload`); with a file the text may be empty. The same `client_msg_id`
    again returns the first message and writes nothing. The returned message is kept loaded
    (out of the session), so answering with it reads nothing back after the commit.
    """
    thread_id = thread.id if isinstance(thread, MessageThread) else thread
    checked = attachments.check_upload(upload) if upload is not None else None  # before any lock
    with transaction():
        thread = _locked_thread(thread_id, sender)
        key = _clean_client_msg_id(client_msg_id)
        existing = _sent_before(sender, key)  # a retry (the lock orders it after the first send)
        if existing is not None:
            return _kept_loaded(_replayed(existing, thread, body)), False
        attachments.ensure_can_write(thread, sender)
        ids = attachments.check_ids(attachment_ids)
        body = _clean_body(body, may_be_empty=bool(ids) or upload is not None)
        files = attachments.claim(thread, sender, ids)
        if upload is not None:
            files.append(attachments.store(thread, sender, upload, checked))
        message = _post(thread, sender, body, key, files)
    return message, True


def _preview(body: str, files: list[MessageAttachment]) -> str:
    if body or not files:
        return body[:PREVIEW]
    return f"Sent {', '.join(f.filename for f in files)}"[:PREVIEW]


def _mark_own(thread: MessageThread, sender: User, message_id: int) -> None:
    """The sender has read (and has) everything up to their own message: one UPDATE."""
    done = db.session.execute(
        sa.update(ThreadParticipant)
        .where(ThreadParticipant.thread_id == thread.id, ThreadParticipant.user_id == sender.id)
        .values(last_read_message_id=message_id, last_delivered_message_id=message_id)
    )
    if done.rowcount == 0:  # a thread from before watermarks: its row is created on first use
        mine = participant(thread, sender.id)
        mine.last_read_message_id = mine.last_delivered_message_id = message_id


def _post(thread: MessageThread, sender: User, body: str, key: str, files: list[MessageAttachment]) -> Message:
    recipient_id = thread.other_id(sender.id)
    watched = matching_watched_words(body)
    message = Message(
        thread_id=thread.id,
        sender_id=sender.id,
        recipient_id=recipient_id,
        body=body,
        client_msg_id=key,
        attachments=files,
        is_hidden=bool(watched),  # held for review from the start: no second write
    )
    db.session.add(message)
    try:
        db.session.flush()
    except sa.exc.IntegrityError:
        raise Conflict(
            "This client_msg_id was already used for another message.", code="client_msg_id_reused"
        ) from None
    thread.last_message_at = utcnow()
    _mark_own(thread, sender, message.id)
    if watched:
        _flag_for_review(message, watched)
    after = {"thread_id": thread.id, "length": len(body), "attachment_ids": [f.id for f in files]}
    audit.record(sender, "message.sent", message, after=after)
    payload = message_json(message)
    items = [(sender.id, "message.new", {"message": payload})]
    if not message.is_hidden:
        in_thread, total = _unread_counts(thread.id, recipient_id)
        items.append((recipient_id, "message.new", {"message": payload, "unread": in_thread, "unread_total": total}))
        notify(
            recipient_id,
            "message",
            f"thread:{thread.id}",
            f"New message from {sender.full_name}",
            path_for("messaging.thread", thread_id=thread.id),
            _preview(body, files),
            events_out=items,
        )
    events.append_many(items)  # last: takes the users' event locks until the commit
    return _kept_loaded(message)


def _kept_loaded(message: Message) -> Message:
    """Take the (flushed) message and its files out of the session: the commit does not expire
    them, so the answer built from them reads nothing back."""
    for row in (message, *message.attachments):
        db.session.expunge(row)
    return message


def start_conversation(client: User, coach_user: User, body: str) -> MessageThread:
    """A client writes to a coach from the page: the enquiry thread (reused) and its first message."""
    ensure_can_post(client)
    body = _clean_body(body)
    thread, _ = open_enquiry(client, coach_user)
    send_message(thread, client, body)
    return thread


def read_for_moderation(moderator: User, message_id: int) -> Message | None:
    """A moderator opened the item of a flagged message: reading a private conversation through its
    flag is audited each time, as opening its files is."""
    if not moderator.has_role(*MODERATOR_ROLES):
        raise PermissionDenied("Only moderators read flagged messages.")
    message = db.session.get(Message, message_id)
    if message is not None:
        with transaction():
            audit.record(moderator, "message.moderator_read", message, after={"thread_id": message.thread_id})
    return message


def _receipt(thread: MessageThread, row: ThreadParticipant) -> dict:
    return {
        "thread_id": thread.id,
        "user_id": row.user_id,
        "last_read_message_id": row.last_read_message_id,
        "last_delivered_message_id": row.last_delivered_message_id,
    }


def mark_read(thread: MessageThread, reader: User, up_to: int | None = None) -> ThreadParticipant:
    """Move the reader's read watermark to `up_to` (default: the thread's latest message)."""
    if not thread.has_participant(reader):
        raise NotFound("No such conversation.")
    with transaction():
        latest = db.session.scalar(sa.select(sa.func.max(Message.id)).where(Message.thread_id == thread.id)) or 0
        target = latest if up_to is None else min(max(int(up_to), 0), latest)
        participant(thread, reader.id)
        row = db.session.get(ThreadParticipant, (thread.id, reader.id), with_for_update=True, populate_existing=True)
        if target <= row.last_read_message_id:
            return row
        row.last_read_message_id = target
        row.last_delivered_message_id = max(row.last_delivered_message_id, target)
        row.updated_at = utcnow()
        mine = {"thread_id": thread.id, "unread": unread_in_thread(thread.id, reader.id)}
        mine["unread_total"] = unread_count(reader)
        items = [(thread.other_id(reader.id), "receipt", _receipt(thread, row)), (reader.id, "unread", mine)]
        if not mine["unread"]:
            mark_subject_read(reader.id, f"thread:{thread.id}", events_out=items)
        events.append_many(items)
    return row


def mark_delivered(user_id: int, upto_by_thread: dict[int, int]) -> None:
    """The user's stream handed them these messages: move the delivered watermarks, tell the senders."""
    with transaction():
        receipts = []
        for thread_id in sorted(upto_by_thread):
            row = db.session.get(ThreadParticipant, (thread_id, user_id), with_for_update=True)
            if row is None or upto_by_thread[thread_id] <= row.last_delivered_message_id:
                continue
            row.last_delivered_message_id = upto_by_thread[thread_id]
            thread = db.session.get(MessageThread, thread_id)
            receipts.append((thread.other_id(user_id), "receipt", _receipt(thread, row)))
        if receipts:
            events.append_many(receipts)


def on_events_delivered(_sender, user_id: int, delivered: list, **_) -> None:
    """Signal receiver: message.new events the stream sent to their recipient count as delivered."""
    upto: dict[int, int] = {}
    for event in delivered:
        if event.type == "message.new" and event.payload["message"]["sender_id"] != user_id:
            message = event.payload["message"]
            upto[message["thread_id"]] = max(upto.get(message["thread_id"], 0), message["id"])
    if upto:
        mark_delivered(user_id, upto)
