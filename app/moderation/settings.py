"""Editing the watched words and the auto-hide threshold (audited)."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from app.accounts.models import User
from app.community.models import WatchedWord
from app.core import audit
from app.core.effects import commit
from app.core.errors import ValidationFailed
from app.core.models import Setting
from app.core.roles import MODERATOR_ROLES, require_role
from app.extensions import db
from app.moderation import rules


@dataclass
class SettingRef:
    """Lets the audit log name a setting by its key."""

    id: str
    __tablename__ = "settings"


REFUSED = "Only moderators can change moderation settings."


def set_watched_words(actor: User, words: list[str]) -> list[str]:
    """Replace the watched words (trimmed, lower case, unique); the change is audited."""
    require_role(actor, MODERATOR_ROLES, REFUSED)
    wanted = sorted({w.strip().lower() for w in words if w.strip()})
    too_long = [w for w in wanted if len(w) > 80]
    if too_long:
        raise ValidationFailed("Words are limited to 80 characters.", fields={"words": too_long[0]})
    old = rules.watched_words()
    if wanted == old:
        return old
    db.session.execute(sa.delete(WatchedWord).where(WatchedWord.word.not_in(wanted)))
    rules.words_changed()  # a bulk DELETE passes no mapper event
    for w in set(wanted) - set(old):
        db.session.add(WatchedWord(word=w, created_by_id=actor.id))
    audit.record(actor, "moderation.watched_words_changed", SettingRef("watched_words"), {"words": old},
                 {"words": wanted})  # fmt: skip
    commit()
    return wanted


def set_auto_hide_threshold(actor: User, value: int) -> int:
    """How many flags from users in good standing hide an item at once (1–100)."""
    require_role(actor, MODERATOR_ROLES, REFUSED)
    try:
        value = int(value)
    except (TypeError, ValueError) as exc:
        raise ValidationFailed("Give a whole number.", fields={"threshold": "A number."}) from exc
    if not 1 <= value <= 100:
        raise ValidationFailed("The threshold is between 1 and 100.", fields={"threshold": "1 to 100."})
    old = rules.get_setting(rules.AUTO_HIDE_THRESHOLD)
    row = db.session.get(Setting, rules.AUTO_HIDE_THRESHOLD)
    if row is None:
        db.session.add(Setting(key=rules.AUTO_HIDE_THRESHOLD, value=value))
    else:
        row.value = value
    audit.record(actor, "moderation.threshold_changed", SettingRef(rules.AUTO_HIDE_THRESHOLD), {"value": old},
                 {"value": value})  # fmt: skip
    commit()
    return value
