"""The JSON shapes of threads and messages, shared by the API and the live events."""

from __future__ import annotations

from app.messaging.attachments import attachment_json
from app.messaging.models import Message, MessageThread


def message_json(message: Message) -> dict:
    """A message as the API and the event stream show it (held: waiting for a moderator)."""
    return {
        "id": message.id,
        "thread_id": message.thread_id,
        "sender_id": message.sender_id,
        "body": message.body,
        "client_msg_id": message.client_msg_id,
        "created_at": message.created_at.isoformat(),
        "held": message.is_hidden,
        "attachments": [attachment_json(a) for a in message.attachments],
    }


def booking_json(thread: MessageThread) -> dict | None:
    """The session a thread belongs to (None for an enquiry)."""
    booking = thread.booking
    if booking is None:
        return None
    return {
        "id": booking.id,
        "status": booking.status.value,
        "starts_at": booking.starts_at.isoformat(),
        "ends_at": booking.ends_at.isoformat(),
        "session_type": booking.session_type.name,
    }


def person_json(user) -> dict:
    """A participant: id and name."""
    return {"id": user.id, "name": user.full_name}


def thread_json(thread: MessageThread) -> dict:
    """POST /api/messages/thread's answer."""
    return {
        "id": thread.id,
        "booking_id": thread.booking_id,
        "participants": [
            {**person_json(thread.client), "role": "client"},
            {**person_json(thread.coach_user), "role": "coach"},
        ],
        "created_at": thread.created_at.isoformat(),
    }
