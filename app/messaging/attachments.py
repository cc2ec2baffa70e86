"""Message attachments: upload a PDF, PNG or JPEG to a thread, attach it to a message, fetch it.

The type is sniffed from the bytes and the size capped by the same rules as every upload
(app/core/uploads.py, UPLOAD_MAX_BYTES); the file goes through the storage adapter under a key
the client never chooses. Nobody but the uploader reaches an attachment no message carries yet.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from app.accounts.models import User
from app.core import audit
from app.core.db import utcnow
from app.core.effects import on_commit, transaction
from app.core.errors import InvalidState, NotFound, ValidationFailed
from app.core.ids import fits
from app.core.images import decode_rgb, jpeg
from app.core.storage import content_disposition, storage
from app.core.uploads import EXTENSIONS, JPEG, PNG, Upload, safe_filename, validate_upload
from app.extensions import db
from app.messaging.models import Message, MessageAttachment, MessageThread
from app.moderation.rules import ensure_can_post

FIELD = "attachment"
DOWNLOAD_PATH = "/api/messages/attachments/{id}"  # api.message_attachment; built without a request (events)
PREVIEW_PATH = DOWNLOAD_PATH + "/preview"  # api.message_attachment_preview
PREVIEW_EDGE = 1024  # pixels: the longest side of an image's inline preview
PIL_FORMATS = {PNG: "PNG", JPEG: "JPEG"}


@dataclass(frozen=True)
class CheckedFile:
    """An acceptable upload: its sniffed type and, for an image, its re-encoded preview (JPEG)."""

    content_type: str
    preview: bytes | None


MAX_PER_MESSAGE = 5


def ensure_can_write(thread: MessageThread, user: User) -> None:
    """A participant who may post, in a thread still open for writing."""
    if not thread.has_participant(user):
        raise NotFound("No such conversation.")
    ensure_can_post(user)
    days = current_app.config["MESSAGING_WRITE_DAYS"]
    if not thread.is_open_for_writing(days):
        raise InvalidState(
            f"This session's conversation closed {days} days after the session; you can still read it.",
            code="thread_closed",
        )


def _refuse(message: str) -> ValidationFailed:
    return ValidationFailed(message, fields={FIELD: message})


def check_upload(upload: Upload | None) -> CheckedFile:
    """An acceptable file (type sniffed, size capped; an image must decode: its preview is made
    here), else ValidationFailed on the `attachment` field. Nothing is stored yet."""
    content_type = validate_upload(upload, current_app.config["UPLOAD_MAX_BYTES"], FIELD, "Choose a file to attach.")
    if content_type not in PIL_FORMATS:
        return CheckedFile(content_type, None)
    image = decode_rgb(upload.data, PIL_FORMATS[content_type], _refuse, "file")
    image.thumbnail((PREVIEW_EDGE, PREVIEW_EDGE))
    return CheckedFile(content_type, jpeg(image))


def store(thread: MessageThread, uploader: User, upload: Upload, checked: CheckedFile) -> MessageAttachment:
    """Put the bytes (and an image's preview) in storage and add the row (flushes; the caller's
    transaction commits)."""
    content_type = checked.content_type
    row = MessageAttachment(
        thread_id=thread.id,
        uploader_id=uploader.id,
        storage_key=f"messages/{thread.id}/{uuid.uuid4().hex}.{EXTENSIONS[content_type][0]}",
        filename=safe_filename(upload.filename, "attachment"),
        content_type=content_type,
        size_bytes=len(upload.data),
    )
    storage().put(row.storage_key, upload.data, content_type)
    if checked.preview is not None:
        storage().put(row.preview_key, checked.preview, JPEG)
    db.session.add(row)
    db.session.flush()
    audit.record(uploader, "message_attachment.upload", row, after={"thread_id": thread.id, "size": row.size_bytes})
    return row


def upload_attachment(thread: MessageThread, uploader: User, upload: Upload | None) -> MessageAttachment:
    """POST /api/messages/attachments: a file for the uploader's next message in this thread."""
    ensure_can_write(thread, uploader)
    checked = check_upload(upload)
    with transaction():
        return store(thread, uploader, upload, checked)


def check_ids(attachment_ids: Sequence[int]) -> list[int]:
    """Distinct ids in the order given, at most MAX_PER_MESSAGE."""
    ids = list(dict.fromkeys(attachment_ids))
    if len(ids) > MAX_PER_MESSAGE:
        message = f"At most {MAX_PER_MESSAGE} files per message."
        raise ValidationFailed(message, fields={"attachment_ids": message})
    return ids


def claim(thread: MessageThread, sender: User, attachment_ids: Sequence[int]) -> list[MessageAttachment]:
    """The sender's unsent attachments of this thread, locked for the message that carries them."""
    if not attachment_ids:
        return []
    rows = list(
        db.session.scalars(
            sa.select(MessageAttachment)
            .where(MessageAttachment.id.in_(attachment_ids))
            .order_by(MessageAttachment.id)
            .with_for_update()
        )
    )
    usable = [r for r in rows if r.uploader_id == sender.id and r.thread_id == thread.id and r.message_id is None]
    if len(usable) != len(attachment_ids):
        raise ValidationFailed(
            "Unknown attachment: upload the file to this conversation again.",
            fields={"attachment_ids": "unknown or already sent attachment"},
        )
    return usable


def prune_unsent(now: datetime | None = None) -> int:
    """Delete the attachments no message took ATTACHMENTS_UNSENT_HOURS after upload (rows now, their
    stored files once that commits); how many."""
    cutoff = (now or utcnow()) - timedelta(hours=current_app.config["ATTACHMENTS_UNSENT_HOURS"])
    with transaction():
        rows = db.session.scalars(
            sa.select(MessageAttachment)
            .where(MessageAttachment.message_id.is_(None), MessageAttachment.created_at < cutoff)
            .with_for_update(skip_locked=True)  # one being sent right now is left to that send
        ).all()
        keys = [k for r in rows for k in (r.storage_key, r.preview_key) if k]
        for row in rows:
            db.session.delete(row)
        on_commit(_delete_files, keys)
    return len(rows)


def _delete_files(keys: list[str]) -> None:
    for key in keys:
        storage().delete(key)


def readable_attachment(attachment_id: int, user: User) -> MessageAttachment:
    """The attachment if `user` may fetch it (see MessageAttachment.can_be_read_by); NotFound otherwise."""
    row = db.session.get(MessageAttachment, attachment_id) if fits(attachment_id) else None
    if row is None or not row.can_be_read_by(user):
        raise NotFound("No such attachment.")
    if row.message_id is not None:
        message = db.session.get(Message, row.message_id)
        if message.is_hidden and message.sender_id != user.id:  # held for review: its file waits too
            raise NotFound("No such attachment.")
    return row


def open_for_moderation(moderator: User, message_id: int, attachment_id: int) -> MessageAttachment:
    """A flagged message's file for the moderator deciding its item (the caller checked the role
    and the item); each opening is audited, as reading a conversation through a flag is."""
    row = db.session.get(MessageAttachment, attachment_id) if fits(attachment_id) else None
    if row is None or row.message_id != message_id:
        raise NotFound("No such attachment on this message.")
    with transaction():
        audit.record(moderator, "message_attachment.moderator_opened", row, after={"message_id": message_id})
    return row


def download(row: MessageAttachment):
    """The file as a download: a presigned URL's redirect on S3, else the bytes with its sniffed type."""
    from flask import Response, redirect

    url = storage().download_url(row.storage_key, row.filename)
    if url:
        return redirect(url)
    return Response(
        storage().get(row.storage_key),
        mimetype=row.content_type,
        headers={
            "Content-Disposition": content_disposition(row.filename),  # as S3's presigned URL sends it
            "Cache-Control": "private, no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


def attachment_json(row: MessageAttachment) -> dict:
    """An attachment as messages show it."""
    return {
        "id": row.id,
        "filename": row.filename,
        "content_type": row.content_type,
        "size": row.size_bytes,
        "url": DOWNLOAD_PATH.format(id=row.id),
        "preview_url": PREVIEW_PATH.format(id=row.id) if row.preview_key else None,
    }
