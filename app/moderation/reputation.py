"""Reporters' accuracy, authors' history and who is in good standing."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from app.accounts.models import User
from app.core.db import utcnow
from app.extensions import db
from app.moderation.models import ActionKind, Flag, FlagStatus, ModerationAction

GOOD_STANDING_ACCURACY = 0.3
STRIKE_KINDS = (ActionKind.HIDE, ActionKind.REMOVE, ActionKind.EDIT, ActionKind.WARN, ActionKind.SUSPEND,
                ActionKind.BAN)  # fmt: skip


def accuracies(user_ids: Iterable[int]) -> dict[int, float]:
    """Share of each reporter's decided flags that were upheld, smoothed: (upheld+1)/(decided+2)."""
    ids = sorted(set(user_ids))
    result = {uid: 0.5 for uid in ids}
    if not ids:
        return result
    rows = db.session.execute(
        sa.select(
            Flag.reporter_id,
            sa.func.count().filter(Flag.status == FlagStatus.UPHELD),
            sa.func.count().filter(Flag.status == FlagStatus.DISMISSED),
        )
        .where(Flag.reporter_id.in_(ids), Flag.status != FlagStatus.OPEN)
        .group_by(Flag.reporter_id)
    )
    for uid, upheld, dismissed in rows:
        result[uid] = (upheld + 1) / (upheld + dismissed + 2)
    return result


def accuracy(user_id: int) -> float:
    """One reporter's accuracy (0.5 for someone without decided flags)."""
    return accuracies([user_id])[user_id]


def author_strikes(user_id: int) -> int:
    """How many times moderators acted against this author's content or account."""
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(ModerationAction)
        .where(ModerationAction.target_user_id == user_id, ModerationAction.kind.in_(STRIKE_KINDS))
    )


def in_good_standing(user_ids: Iterable[int]) -> set[int]:
    """Reporters who are neither suspended nor banned and whose flags are mostly upheld."""
    ids = set(user_ids)
    if not ids:
        return set()
    now = utcnow()
    active = set(
        db.session.scalars(
            sa.select(User.id).where(
                User.id.in_(ids),
                User.banned_at.is_(None),
                User.is_enabled.is_(True),
                sa.or_(User.suspended_until.is_(None), User.suspended_until <= now),
            )
        )
    )
    acc = accuracies(active)
    return {uid for uid in active if acc[uid] >= GOOD_STANDING_ACCURACY}
