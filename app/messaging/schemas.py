"""The messaging API's request and response schemas (declared once: validation and OpenAPI)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, StrictStr

from app.api.fields import BINARY, Id, QueryId
from app.messaging.services import CLIENT_MSG_ID, MAX_LENGTH


class OpenThread(BaseModel):
    """coach_id (the coach's profile id) for an enquiry, or booking_id for a session's thread."""

    coach_id: Id | None = None
    booking_id: Id | None = None


class NewMessage(BaseModel):
    """A message; a retry with the same client_msg_id returns the first one."""

    thread_id: Id
    body: StrictStr | None = Field(None, max_length=MAX_LENGTH, description="may be empty with attachments")
    # the rule is the service's (it also serves the page's form): an empty or absent one is generated
    client_msg_id: StrictStr | None = Field(None, json_schema_extra={"pattern": CLIENT_MSG_ID.pattern})
    attachment_ids: list[Id] | None = None


class NewAttachment(BaseModel):
    """multipart/form-data: the thread and the file."""

    thread_id: str = Field(pattern=r"^[0-9]+$")
    attachment: Any = Field(json_schema_extra={**BINARY, "description": "PDF, PNG or JPEG, at most 10 MB"})


class ReadUpTo(BaseModel):
    """Where the read watermark moves (default: the latest message)."""

    message_id: Id | None = None


class InboxQuery(BaseModel):
    """?cursor= : the previous page's next."""

    cursor: str | None = None


class PageQuery(BaseModel):
    """The 50 messages before or after a message id (not both); default the latest 50."""

    before: QueryId | None = None
    after: QueryId | None = None


class Person(BaseModel):
    """A participant."""

    id: int
    name: str


class Participant(Person):
    """A participant and their side."""

    role: Literal["client", "coach"]


class AttachmentOut(BaseModel):
    """A file a message carries."""

    id: int
    filename: str
    content_type: Literal["application/pdf", "image/png", "image/jpeg"] = Field(description="sniffed")
    size: int = Field(description="bytes")
    url: str = Field(description="GET it (participants only) for the file as an attachment")
    preview_url: str | None = Field(description="an image's re-encoded JPEG preview, shown inline (null for a PDF)")


class MessageOut(BaseModel):
    """A message (held: waiting for a moderator; only its sender sees it)."""

    id: int
    thread_id: int
    sender_id: int
    body: str
    client_msg_id: str | None
    created_at: datetime
    held: bool
    attachments: list[AttachmentOut]


class ThreadOut(BaseModel):
    """A thread and its two participants."""

    id: int
    booking_id: int | None
    participants: list[Participant]
    created_at: datetime


class ThreadBooking(BaseModel):
    """The session a thread belongs to."""

    id: int
    status: str
    starts_at: datetime
    ends_at: datetime
    session_type: str


class InboxRow(BaseModel):
    """One thread of the inbox."""

    id: int
    booking: ThreadBooking | None
    other: Person
    last_message: MessageOut | None
    unread: int


class Inbox(BaseModel):
    """A page of threads, latest activity first."""

    threads: list[InboxRow]
    next: str | None = Field(description="cursor of the next page")


class Watermark(BaseModel):
    """How far a participant has read and received."""

    last_read_message_id: int
    last_delivered_message_id: int


class MessagePage(BaseModel):
    """Messages oldest first and both watermarks."""

    messages: list[MessageOut]
    more: bool = Field(description="more messages lie beyond, in the direction asked")
    mine: Watermark
    other: Watermark


class ReadOut(BaseModel):
    """The caller's new read watermark."""

    thread_id: int
    last_read_message_id: int
    unread: int
