"""What the header shows a logged-in user and where their stream starts: read once per page."""

from __future__ import annotations

import logging

from flask import g, has_request_context
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

log = logging.getLogger(__name__)


def _read() -> dict | None:
    if not current_user.is_authenticated:
        return None
    from app.messaging.services import unread_count as unread_messages
    from app.notifications.services import unread_count as unread_notifications
    from app.realtime.events import head

    cursor = head(current_user.id)  # first: anything after it is replayed with fresh counts
    return {
        "cursor": cursor,
        "messages": unread_messages(current_user.id),
        "notifications": unread_notifications(current_user.id),
    }


def live_state() -> dict | None:
    """The stream cursor, unread messages and unread notifications; None outside a logged-in
    request, or when the database cannot answer (an error page keeps its plain header)."""
    if not has_request_context():
        return None
    if "live_state" not in g:
        try:
            g.live_state = _read()
        except SQLAlchemyError:
            log.warning("live header state unavailable", exc_info=True)
            g.live_state = None
    return g.live_state
