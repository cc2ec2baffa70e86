"""The community API's request and response schemas (declared once: validation and OpenAPI)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, StrictBool, StrictStr

TargetType = Literal["discussion", "reply", "profile", "message"]
FlagReason = Literal["spam", "harassment", "inappropriate", "off_topic", "other"]
Visibility = Literal["visible", "pending_review", "hidden", "removed"]


class NewGroup(BaseModel):
    """A group to start."""

    name: StrictStr
    description: StrictStr = ""
    is_private: StrictBool = False


class NewDiscussion(BaseModel):
    """A discussion to post (Markdown body)."""

    title: StrictStr
    body: StrictStr


class NewReply(BaseModel):
    """A reply to post (Markdown body)."""

    body: StrictStr


class NewFlag(BaseModel):
    """Something to flag."""

    target_type: TargetType
    target_id: int
    reason: FlagReason
    note: StrictStr | None = Field(None, description="Required when reason is other")


class AfterCursor(BaseModel):
    """?after= : the previous page's next_cursor."""

    after: str | None = None


class AfterReply(BaseModel):
    """?after= : the last reply id seen (a bad one reads as 0)."""

    after: str | None = Field(None, description="a reply id")


class Author(BaseModel):
    """Who wrote a post."""

    id: int
    name: str


class GroupOut(BaseModel):
    """A group as the API shows it."""

    id: int
    slug: str
    name: str
    description: str | None
    is_private: bool
    membership: Literal["active", "pending"] | None


class _Post(BaseModel):
    id: int
    author: Author
    body_html: str = Field(description="Sanitised HTML rendered from the Markdown body")
    visibility: Visibility
    created_at: datetime
    edited_at: datetime | None


class DiscussionOut(_Post):
    """A discussion as the API shows it."""

    group_id: int
    title: str
    reply_count: int
    last_activity_at: datetime | None


class ReplyOut(_Post):
    """A reply as the API shows it."""

    discussion_id: int


class GroupList(BaseModel):
    """Every group by name."""

    items: list[GroupOut]
    next_cursor: str | None


class DiscussionPage(BaseModel):
    """A page of discussions; pass next_cursor as ?after=."""

    items: list[DiscussionOut]
    next_cursor: str | None


class ReplyPage(BaseModel):
    """Replies after ?after=; poll again with next_after."""

    items: list[ReplyOut]
    next_after: int


class FlagOut(BaseModel):
    """The flag and the moderation item it joined."""

    id: int
    item_id: int
    status: str
    hidden: bool
