"""Messaging endpoints of the JSON API: open a thread, send, list threads, page messages, mark read."""

from __future__ import annotations

from flask import Response, jsonify, request
from flask_login import current_user

from app.api import bp
from app.api.fields import BINARY
from app.api.spec import args, body, form_fields, operation
from app.core.errors import NotFound, ValidationFailed
from app.core.security import login_required
from app.core.storage import storage
from app.core.uploads import upload_from_request
from app.messaging import attachments, queries, services, threads
from app.messaging.attachments import attachment_json
from app.messaging.payloads import booking_json, message_json, person_json, thread_json
from app.messaging.schemas import (
    AttachmentOut,
    Inbox,
    InboxQuery,
    MessageOut,
    MessagePage,
    NewAttachment,
    NewMessage,
    OpenThread,
    PageQuery,
    ReadOut,
    ReadUpTo,
    ThreadOut,
)


@bp.post("/messages/thread")
@login_required
@operation(
    "Open the enquiry thread with a coach (coach_id: the coach's profile id) or a session's thread",
    json=OpenThread,
    resp={201: ThreadOut, 200: ThreadOut},
)
def open_thread():
    """201 with a new thread, 200 with the existing one."""
    data = body()
    if data.booking_id is not None:
        thread, created = threads.open_booking_thread(current_user, data.booking_id)
    elif data.coach_id is not None:
        thread, created = threads.open_enquiry_with_coach_profile(current_user, data.coach_id)
    else:
        raise ValidationFailed(
            "Give coach_id or booking_id.", fields={"coach_id": "required", "booking_id": "required"}
        )
    return jsonify(thread_json(thread)), 201 if created else 200


@bp.post("/messages/send")
@login_required
@operation(
    "Send a message; a retry with the same client_msg_id returns the first message (200) and adds none",
    json=NewMessage,
    resp={201: MessageOut, 200: MessageOut},
)
def send_message():
    """201 with the message (200 when it is a retry of one already sent)."""
    data = body()
    message, created = services.send_message(
        data.thread_id,  # the service loads and locks it once (404 unless a participant)
        current_user,
        data.body,
        data.client_msg_id,
        data.attachment_ids or [],
    )
    return jsonify(message_json(message)), 201 if created else 200


@bp.post("/messages/attachments")
@login_required
@operation(
    "Upload a file (PDF, PNG or JPEG, at most 10 MB, judged by its bytes) for your next message in a"
    " thread; send its id in attachment_ids. Only you see it until a message carries it",
    form=NewAttachment,
    resp={201: AttachmentOut},
)
def upload_attachment():
    """201 with the stored attachment; 400 with the `attachment` field's reason for a refused file."""
    form_fields()
    raw = request.form.get("thread_id", "")
    if not (raw.isascii() and raw.isdigit()):
        raise ValidationFailed("thread_id is an id.", fields={"thread_id": "an integer id"})
    thread = threads.readable_thread(int(raw), current_user)
    row = attachments.upload_attachment(thread, current_user, upload_from_request(attachments.FIELD))
    return jsonify(attachment_json(row)), 201


@bp.get("/messages/attachments/<int:attachment_id>")
@login_required
@operation(
    "Download an attachment (the thread's participants; its uploader before it is sent), always as"
    " an attachment; a short-lived storage URL (302) on S3",
    resp={200: BINARY, 302: None},
    response_type="application/octet-stream",
)
def message_attachment(attachment_id: int):
    """The file with Content-Disposition: attachment and its sniffed type; 404 for anybody else."""
    return attachments.download(attachments.readable_attachment(attachment_id, current_user))


@bp.get("/messages/attachments/<int:attachment_id>/preview")
@login_required
@operation(
    "An image attachment's preview: re-encoded at upload as a JPEG of at most 1024 pixels a side,"
    " without metadata, shown inline (the same people as the file; 404 for a PDF)",
    resp={200: BINARY},
    response_type="image/jpeg",
)
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
@login_required
@operation(
    "Your threads, latest activity first, with the other participant, last message and unread count",
    query=InboxQuery,
    resp={200: Inbox},
)
def list_threads():
    """A page of the user's threads and the cursor of the next."""
    rows, next_cursor = queries.inbox(current_user, args().cursor)
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
@login_required
@operation(
    "Messages of a thread, oldest first: the latest 50, or the 50 before/after a message id",
    query=PageQuery,
    resp={200: MessagePage},
)
def thread_messages(thread_id: int):
    """A page of messages and both participants' watermarks."""
    thread = threads.readable_thread(thread_id, current_user)
    before, after = args().before, args().after
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
@login_required
@operation("Mark the thread read up to message_id (default: its latest message)", json=ReadUpTo, resp={200: ReadOut})
def read_thread(thread_id: int):
    """Move the caller's read watermark; answers the thread's remaining unread count."""
    thread = threads.readable_thread(thread_id, current_user)
    row = services.mark_read(thread, current_user, body().message_id)
    return jsonify(
        thread_id=thread.id,
        last_read_message_id=row.last_read_message_id,
        unread=services.unread_in_thread(thread.id, current_user.id),
    )
