"""Reading notifications for the list and the API."""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.notifications.models import Notification

PAGE = 50


def latest(user_id: int, limit: int = PAGE) -> list[Notification]:
    """The user's notifications, unread first, then latest activity."""
    return list(
        db.session.scalars(
            sa.select(Notification)
            .where(Notification.user_id == user_id)
            .order_by(Notification.read_at.is_not(None), Notification.updated_at.desc(), Notification.id.desc())
            .limit(limit)
        )
    )
