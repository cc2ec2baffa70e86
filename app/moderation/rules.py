"""Moderation settings (auto-hide threshold, rate limits, edit window) and posting rules."""

from __future__ import annotations

import re
from datetime import datetime

import sqlalchemy as sa

from app.community.models import WatchedWord
from app.core.errors import PermissionDenied
from app.core.models import Setting
from app.extensions import db

AUTO_HIDE_THRESHOLD = "moderation.auto_hide_threshold"
RATE_LIMIT = "community.rate_limit"
EDIT_WINDOW_MINUTES = "community.edit_window_minutes"

DEFAULTS: dict[str, object] = {
    AUTO_HIDE_THRESHOLD: 3,
    # posts per window; accounts younger than new_account_days get new_max_posts
    RATE_LIMIT: {"window_seconds": 600, "max_posts": 10, "new_account_days": 7, "new_max_posts": 3},
    EDIT_WINDOW_MINUTES: 30,
}


def get_setting(key: str):
    """The stored value of a setting, or its default."""
    row = db.session.get(Setting, key)
    return DEFAULTS.get(key) if row is None or row.value is None else row.value


def format_until(when: datetime) -> str:
    """'12 Dec 2026 14:00 UTC' for messages that name a suspension's end."""
    return when.strftime("%d %b %Y %H:%M UTC")


def ensure_can_post(user) -> None:
    """Refuse banned and suspended users (they can read and log in, not post or message)."""
    if user.banned_at is not None:
        raise PermissionDenied("Your account is banned: you can no longer post or send messages.", code="banned")
    if user.is_suspended():
        reason = f" Reason: {user.suspension_reason}" if user.suspension_reason else ""
        raise PermissionDenied(
            f"Your account is suspended until {format_until(user.suspended_until)}: "
            f"you can read, but not post or send messages until then.{reason}",
            code="suspended",
        )


def watched_words() -> list[str]:
    """All watched words, sorted."""
    return list(db.session.scalars(sa.select(WatchedWord.word).order_by(WatchedWord.word)))


def matching_watched_words(*texts: str) -> list[str]:
    """Watched words found as whole words (case-insensitive) in any of the texts."""
    words = watched_words()
    if not words:
        return []
    haystack = "\n".join(t or "" for t in texts)
    return [w for w in words if re.search(rf"(?<!\w){re.escape(w)}(?!\w)", haystack, re.IGNORECASE)]
