"""Moderation settings (auto-hide threshold, rate limits, edit window) and posting rules."""

from __future__ import annotations

import re
import threading
import time
from datetime import datetime

import sqlalchemy as sa
from flask import current_app, has_app_context

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
    """All watched words, sorted, as stored now (the settings page shows this)."""
    return list(db.session.scalars(sa.select(WatchedWord.word).order_by(WatchedWord.word)))


class WordCache:
    """The watched words as this process last read them (every message and post checks them).

    A change committed in this process clears it at once; other processes read the words again
    within WATCHED_WORDS_CACHE_SECONDS. A read that a clearing overtook is not kept.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.generation, self.loaded_at, self.words = 0, 0.0, None

    def get(self, max_age: float) -> list[str]:
        """The cached words if younger than `max_age` seconds, else read (and keep) them."""
        with self.lock:
            generation, words = self.generation, self.words
            if words is not None and time.monotonic() - self.loaded_at < max_age:
                return words
        words, now = watched_words(), time.monotonic()
        with self.lock:
            if self.generation == generation:
                self.words, self.loaded_at = words, now
        return words

    def clear(self) -> None:
        """Forget the words: the next check reads them."""
        with self.lock:
            self.generation += 1
            self.words = None


def word_cache() -> WordCache:
    """The current app's cache of watched words."""
    return current_app.extensions.setdefault("watched_words", WordCache())


def _words_changed(_mapper, connection, target) -> None:
    session = sa.orm.object_session(target)
    if session is not None:
        session.info["watched_words_changed"] = True


def _clear_after_commit(session) -> None:
    if session.info.pop("watched_words_changed", False) and has_app_context():
        word_cache().clear()


for _event in ("after_insert", "after_update", "after_delete"):
    sa.event.listen(WatchedWord, _event, _words_changed)
sa.event.listen(sa.orm.Session, "after_commit", _clear_after_commit)


def words_changed() -> None:
    """A bulk statement changed the watched words: clear the cache when this transaction commits."""
    db.session.info["watched_words_changed"] = True


def matching_watched_words(*texts: str) -> list[str]:
    """Watched words found as whole words (case-insensitive) in any of the texts."""
    words = word_cache().get(current_app.config["WATCHED_WORDS_CACHE_SECONDS"])
    if not words:
        return []
    haystack = "\n".join(t or "" for t in texts)
    return [w for w in words if re.search(rf"(?<!\w){re.escape(w)}(?!\w)", haystack, re.IGNORECASE)]
