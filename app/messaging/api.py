"""Messaging endpoints of the JSON API: open a thread, send, list threads, page messages, mark read."""

from __future__ import annotations

from flask import Response, jsonify, request
from flask_login import current_user

from app.api import bp
from app.api.bodies import json_object
from app.api.openapi import document
from app.core.errors import NotFound, ValidationFailed
from app.core.ids import fits
from app.core.security import login_required
from app.core.storage import storage
from app.core.uploads import upload_from_request
from app.messaging import attachments, queries, services, threads
from app.messaging.attachments import attachment_json
from app.messaging.payloads import booking_json, message_json, person_json, thread_json

ISO = {"type": "string", "format": "date-time"}
ID = {"type": "integer"}
PERSON = {"type": "object", "required": ["id", "name"], "properties": {"id": ID, "name": {"type": "string"}}}
ATTACHMENT_SCHEMA = {
    "type": "object",
    "required": ["id", "filename", "content_type", "size", "url", "preview_url"],
    "properties": {
        "id": ID,
        "filename": {"type": "string"},
        "content_type": {"enum": ["application/pdf", "image/png", "image/jpeg"], "description": "sniffed"},
        "size": {"type": "integer", "description": "bytes"},
        "url": {"type": "string", "description": "GET it (participants only) for the file as an attachment"},
        "preview_url": {
            "type": ["string", "null"],
            "description": "an image's re-encoded JPEG preview, shown inline (null for a PDF)",
        },
    },
}
MESSAGE_SCHEMA = {
    "type": "object",
    "required": ["id", "thread_id", "sender_id", "body", "client_msg_id", "created_at", "held", "attachments"],
    "properties": {
        "id": ID,
        "thread_id": ID,
        "sender_id": ID,
        "body": {"type": "string"},
        "client_msg_id": {"type": ["string", "null"]},
        "created_at": ISO,
        "held": {"type": "boolean", "description": "held for a moderator (watched word); only its sender sees it"},
        "attachments": {"type": "array", "items": ATTACHMENT_SCHEMA},
    },
}
THREAD_SCHEMA = {
    "type": "object",
    "required": ["id", "booking_id", "participants", "created_at"],
    "properties": {
        "id": ID,
        "booking_id": {"type": ["integer", "null"]},
        "participants": {
            "type": "array",
            "items": {**PERSON, "properties": {**PERSON["properties"], "role": {"enum": ["client", "coach"]}}},
        },
        "created_at": ISO,
    },
}
BOOKING = {
    "type": ["object", "null"],
    "properties": {"id": ID, "status": {"type": "string"}, "starts_at": ISO, "ends_at": ISO},
}
WATERMARK = {"type": "object", "properties": {"last_read_message_id": ID, "last_delivered_message_id": ID}}


def _id(value, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not fits(value):
        raise ValidationFailed(f"{field} is an id.", fields={field: "an integer id"})
    return value


def _query_id(name: str) -> int | None:
    raw = request.args.get(name)
    if raw in (None, ""):
        return None
    if not (raw.isascii() and raw.isdigit()) or not fits(int(raw)):
        raise ValidationFailed(f"{name} is a message id.", fields={name: "an integer id"})
    return int(raw)


@bp.post("/messages/thread")
@document(
    "Open the enquiry thread with a coach (coach_id: the coach's profile id) or a session's thread",
    request={"type": "object", "properties": {"coach_id": ID, "booking_id": ID}},
    responses={"201": THREAD_SCHEMA, "200": THREAD_SCHEMA},
)
@login_required
def open_thread():
    """201 with a new thread, 200 with the existing one."""
    body = json_object()
    if body.get("booking_id") is not None:
        thread, created = threads.open_booking_thread(current_user, _id(body["booking_id"], "booking_id"))
    elif body.get("coach_id") is not None:
        thread, created = threads.open_enquiry_with_coach_profile(current_user, _id(body["coach_id"], "coach_id"))
    else:
        raise ValidationFailed(
            "Give coach_id or booking_id.", fields={"coach_id": "required", "booking_id": "required"}
        )
    return jsonify(thread_json(thread)), 201 if created else 200


@bp.post("/messages/send")
@document(
    "Send a message; a retry with the same client_msg_id returns the first message (200) and adds none",
    request={
        "type": "object",
        "required": ["thread_id", "body"],
        "properties": {
            "thread_id": ID,
            "body": {"type": "string", "maxLength": services.MAX_LENGTH},
            "client_msg_id": {"type": "string", "pattern": services.CLIENT_MSG_ID.pattern},
            "attachment_ids": {"type": "array", "items": ID},
        },
    },
    responses={"201": MESSAGE_SCHEMA, "200": MESSAGE_SCHEMA},
)
@login_required
def send_message():
    """201 with the message (200 when it is a retry of one already sent)."""
    body = json_object()
    thread_id = _id(body.get("thread_id"), "thread_id")
    attachments = body.get("attachment_ids") or []
    if not isinstance(attachments, list):
        raise ValidationFailed("attachment_ids is a list of ids.", fields={"attachment_ids": "a list of ids"})
    message, created = services.send_message(
        thread_id,  # the service loads and locks it once (404 unless a participant)
        current_user,
        body.get("body"),
        body.get("client_msg_id"),
        [_id(a, "attachment_ids") for a in attachments],
    )
    return jsonify(message_json(message)), 201 if created else 200


@bp.post("/messages/attachments")
@document(
    "Upload a file (PDF, PNG or JPEG, at most 10 MB, judged by its bytes) for your next message in a"
    " thread; send its id in attachment_ids. Only you see it until a message carries it",
    request={
        "type": "object",
        "required": ["thread_id", "attachment"],
        "properties": {
            "thread_id": {"type": "string", "pattern": "^[0-9]+$"},
            "attachment": {"type": "string", "format": "binary", "description": "PDF, PNG or JPEG, at most 10 MB"},
        },
    },
    content_type="multipart/form-data",
    responses={"201": ATTACHMENT_SCHEMA},
)
@login_required
def upload_attachment():
    """201 with the stored attachment; 400 with the `attachment` field's reason for a refused file."""
    raw = request.form.get("thread_id", "")
    if not (raw.isascii() and raw.isdigit()):
        raise ValidationFailed("thread_id is an id.", fields={"thread_id": "an integer id"})
    thread = threads.readable_thread(int(raw), current_user)
    row = attachments.upload_attachment(thread, current_user, upload_from_request(attachments.FIELD))
    return jsonify(attachment_json(row)), 201


@bp.get("/messages/attachments/<int:attachment_id>")
@document(
    "Download an attachment (the thread's participants; its uploader before it is sent), always as"
    " an attachment; a short-lived storage URL (302) on S3",
    responses={"200": {"type": "string", "format": "binary"}, "302": None},
    response_type="application/octet-stream",
)
@login_required
def message_attachment(attachment_id: int):
    """The file with Content-Disposition: attachment and its sniffed type; 404 for anybody else."""
    return attachments.download(attachments.readable_attachment(attachment_id, current_user))


@bp.get("/messages/attachments/<int:attachment_id>/preview")
@document(
    "An image attachment's preview: re-encoded at upload as a JPEG of at most 1024 pixels a side,"
    " without metadata, shown inline (the same people as the file; 404 for a PDF)",
    responses={"200": {"type": "string", "format": "binary"}},
    response_type="image/jpeg",
)
@login_required
def message_attachment_preview(attachment_id: int):
    """The preview JPEG inline; never the uploaded bytes themselves."""
    row = attachments.readable_attachment(attachment_id, current_user)
    if row.preview_key is None:
        raise NotFound("This attachment has no preview.")
    return Response(
        storage().get(row.preview_key),
        mimetype="image/jpeg",
        headers={
            "Content-Disposition": "inline",
            "Cache-Control": "private, no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


@bp.get("/messages/threads")
@document(
    "Your threads, latest activity first, with the other participant, last message and unread count",
    parameters=[{"name": "cursor", "in": "query", "required": False, "schema": {"type": "string"}}],
    responses={
        "200": {
            "type": "object",
            "required": ["threads", "next"],
            "properties": {
                "threads": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["id", "booking", "other", "last_message", "unread"],
                        "properties": {
                            "id": ID,
                            "booking": BOOKING,
                            "other": PERSON,
                            "last_message": {"oneOf": [MESSAGE_SCHEMA, {"type": "null"}]},
                            "unread": {"type": "integer"},
                        },
                    },
                },
                "next": {"type": ["string", "null"], "description": "cursor of the next page"},
            },
        }
    },
)
@login_required
def list_threads():
    """A page of the user's threads and the cursor of the next."""
    rows, next_cursor = queries.inbox(current_user, request.args.get("cursor"))
    return jsonify(
        threads=[
            {
                "id": row.thread.id,
                "booking": booking_json(row.thread),
                "other": person_json(row.other),
                "last_message": message_json(row.last_message) if row.last_message else None,
                "unread": row.unread,
            }
            for row in rows
        ],
        next=next_cursor,
    )


@bp.get("/messages/threads/<int:thread_id>/messages")
@document(
    "Messages of a thread, oldest first: the latest 50, or the 50 before/after a message id",
    parameters=[
        {"name": n, "in": "query", "required": False, "schema": {"type": "integer", "minimum": 0}}
        for n in ("before", "after")
    ],
    responses={
        "200": {
            "type": "object",
            "required": ["messages", "more", "mine", "other"],
            "properties": {
                "messages": {"type": "array", "items": MESSAGE_SCHEMA},
                "more": {"type": "boolean", "description": "more messages lie beyond, in the direction asked"},
                "mine": WATERMARK,
                "other": WATERMARK,
            },
        }
    },
)
@login_required
def thread_messages(thread_id: int):
    """A page of messages and both participants' watermarks."""
    thread = threads.readable_thread(thread_id, current_user)
    before, after = _query_id("before"), _query_id("after")
    if before is not None and after is not None:
        raise ValidationFailed("Give before or after, not both.", fields={"before": "or after"})
    messages, more = queries.messages_page(thread, current_user, before=before, after=after)
    marks = queries.watermarks(thread)
    return jsonify(
        messages=[message_json(m) for m in messages],
        more=more,
        mine=_watermark(marks.get(current_user.id)),
        other=_watermark(marks.get(thread.other_id(current_user.id))),
    )


def _watermark(row) -> dict:
    return {
        "last_read_message_id": row.last_read_message_id if row else 0,
        "last_delivered_message_id": row.last_delivered_message_id if row else 0,
    }


@bp.post("/messages/threads/<int:thread_id>/read")
@document(
    "Mark the thread read up to message_id (default: its latest message)",
    request={"type": "object", "properties": {"message_id": ID}},
    responses={
        "200": {
            "type": "object",
            "required": ["thread_id", "last_read_message_id", "unread"],
            "properties": {"thread_id": ID, "last_read_message_id": ID, "unread": {"type": "integer"}},
        }
    },
)
@login_required
def read_thread(thread_id: int):
    """Move the caller's read watermark; answers the thread's remaining unread count."""
    thread = threads.readable_thread(thread_id, current_user)
    body = json_object(optional=True)
    up_to = _id(body["message_id"], "message_id") if body.get("message_id") is not None else None
    row = services.mark_read(thread, current_user, up_to)
    return jsonify(
        thread_id=thread.id,
        last_read_message_id=row.last_read_message_id,
        unread=services.unread_in_thread(thread.id, current_user.id),
    )
