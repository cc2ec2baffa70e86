"""The moderation API's request and response schemas (declared once: validation and OpenAPI)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, Field, StrictStr
from pydantic_core import PydanticCustomError

from app.core.inputs import ascii_int

Sanction = Literal["warn", "suspend", "ban"]


def _days(value):
    """A count of days as a JSON integer or ASCII digits; the service checks 1..365 when it suspends."""
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    days = ascii_int(value) if isinstance(value, str) else None
    if days is None:
        raise PydanticCustomError("days", "1 to 365 days.")
    return days


class QueueQuery(BaseModel):
    """The queue's filters (an unknown value reads as its default, as on the staff page)."""

    status: str | None = Field(None, description="pending (default), kept, hidden, removed, edited or all")
    reason: str | None = None
    target_type: str | None = None
    group: str | None = Field(None, description="a group id")
    assignee: str | None = Field(None, description="a moderator's id, me or none")
    hidden: str | None = Field(None, description="yes or no")
    sort: str | None = Field(None, description="priority (default) or age")
    after: str | None = Field(None, description="the previous page's next_cursor")


class Decision(BaseModel):
    """One decision on an item."""

    action: Literal["keep", "hide", "remove", "edit", "warn", "suspend", "ban"]
    reason: StrictStr | None = Field(None, description="Required except for keep; sent to the author")
    author_action: Annotated[Sanction | None, BeforeValidator(lambda v: v or None)] = None  # '' is none
    suspend_days: Annotated[int | None, BeforeValidator(_days)] = None
    edited_body: StrictStr | None = None


class ItemOut(BaseModel):
    """A moderation item as the API shows it."""

    id: int
    target_type: Literal["discussion", "reply", "profile", "message"]
    target_id: int
    author_id: int | None
    group_id: int | None
    status: Literal["pending", "kept", "hidden", "removed", "edited"]
    priority: float
    flag_count: int
    top_reason: str | None
    reasons: dict[str, int]
    is_hidden: bool
    first_flagged_at: datetime
    claimed_by: int | None
    version: int


class QueuePage(BaseModel):
    """A page of the queue and the count per status."""

    items: list[ItemOut]
    next_cursor: str | None
    counts: dict[str, int]
