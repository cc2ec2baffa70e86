"""The notifications API's request and response schemas (declared once: validation and OpenAPI)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field, StrictStr


class NotificationOut(BaseModel):
    """One notification (one unread row per subject; count says how many it stands for)."""

    id: int
    kind: str
    title: str
    body: str
    link: str
    count: int
    updated_at: datetime
    unread: bool


class NotificationList(BaseModel):
    """The latest 50 (unread first) and the unread count."""

    notifications: list[NotificationOut]
    unread: int


class PushKeys(BaseModel):
    """The subscription's keys."""

    p256dh: StrictStr
    auth: StrictStr


class PushSubscriptionIn(BaseModel):
    """A browser's PushSubscription as JSON (the service checks the push service and the lengths)."""

    endpoint: StrictStr = Field(json_schema_extra={"maxLength": 1000})
    keys: PushKeys


class PushSubscriptionOut(BaseModel):
    """A stored subscription."""

    id: int
    endpoint: str
    created_at: datetime
