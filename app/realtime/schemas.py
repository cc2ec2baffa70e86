"""The live events API's schemas (declared once: validation and OpenAPI)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

# One event of the stream, as an SSE parser hands it over (each field a string): a text/event-stream body.
SSE_EVENT = {
    "type": "object",
    "properties": {
        "id": {"type": "string", "description": "the cursor to resume from (Last-Event-ID)"},
        "event": {"type": "string", "description": "message.new, receipt, unread, notification, resync..."},
        "data": {"type": "string", "description": "the event's JSON payload"},
        "retry": {"type": "integer"},
    },
}
LAST_EVENT_ID = {"name": "Last-Event-ID", "in": "header", "required": False, "schema": {"type": "string"}}


class StreamQuery(BaseModel):
    """Where to resume when the browser cannot send Last-Event-ID."""

    last_event_id: str | None = Field(None, description="an event id")


class PollQuery(BaseModel):
    """The cursor of the previous answer."""

    since: str | None = Field(None, description="an event id")


class EventOut(BaseModel):
    """One event."""

    id: int
    type: str
    data: dict[str, Any]


class EventBatch(BaseModel):
    """Events after `since` (at most 200) and where the next call starts."""

    events: list[EventOut]
    cursor: int = Field(description="pass it as `since` next time")
    resync: bool = Field(description="the cursor was too old: refetch, then go on")
