"""Shared builders for the messaging tests: a coach, a confirmed session with its thread, API calls."""

from __future__ import annotations

import io

from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from app.booking import services as booking_services
from app.messaging.models import MessageThread
from tests.factories.payments import HeldBookingFactory
from tests.security_clients import bearer_for


class Api:
    """Calls the JSON API as one user with a Bearer token."""

    def __init__(self, client, user):
        self.client, self.user, self.headers = client, user, bearer_for(user)

    def get(self, path: str):
        return self.client.get(path, headers=self.headers)

    def post(self, path: str, body: dict | None = None):
        return self.client.post(path, json=body if body is not None else {}, headers=self.headers)

    def send(self, thread_id: int, body: str, client_msg_id: str | None = None, attachment_ids=None):
        payload = {"thread_id": thread_id, "body": body}
        if client_msg_id is not None:
            payload["client_msg_id"] = client_msg_id
        if attachment_ids is not None:
            payload["attachment_ids"] = attachment_ids
        return self.post("/api/messages/send", payload)

    def upload(self, thread_id: int, filename: str, data: bytes):
        """POST /api/messages/attachments as the browser's form data would."""
        body, content_type = multipart({"thread_id": str(thread_id)}, filename, data)
        return self.client.post("/api/messages/attachments", data=body, headers=self.headers, content_type=content_type)


def multipart(fields: dict, filename: str, data: bytes) -> tuple[bytes, str]:
    """A multipart body with one file as `attachment`, encoded in memory (the test client would spool
    a large file to a temporary file it never closes: a ResourceWarning)."""
    boundary, body = encode_multipart(MultiDict({**fields, "attachment": FileStorage(io.BytesIO(data), filename)}))
    return body, f"multipart/form-data; boundary={boundary}"


def confirmed_session(**booking):
    """A booking confirmed through the booking service (which opens its thread); (booking, thread)."""
    held = HeldBookingFactory(**booking)
    booking_services.confirm_booking(held.id)
    thread = MessageThread.query.filter_by(booking_id=held.id).one()
    return held, thread
