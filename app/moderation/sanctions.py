"""Sanctions of authors: warnings, suspensions and bans, with an item's decision or on their own."""

from __future__ import annotations

from datetime import timedelta

from app.accounts.models import User
from app.accounts.sessions import drop_sessions
from app.core import audit, duties
from app.core.db import utcnow
from app.core.effects import commit
from app.core.errors import ValidationFailed
from app.core.roles import MODERATOR_ROLES, require_role
from app.extensions import db
from app.moderation import notify
from app.moderation.models import ActionKind, ModerationAction

AUTHOR_ACTIONS = (ActionKind.WARN, ActionKind.SUSPEND, ActionKind.BAN)


def require_moderator(actor: User) -> None:
    """Refuse anyone who is neither a moderator nor an admin."""
    require_role(actor, MODERATOR_ROLES, "Only moderators can do this.")


def record_sanction(actor: User, user: User, kind: ActionKind, reason: str, days: int | None, item=None) -> None:
    """Warn, suspend or ban `user` (for an item's decision when `item` is given); flushes, the caller commits."""
    before = {"suspended_until": user.suspended_until.isoformat() if user.suspended_until else None,
              "banned_at": user.banned_at.isoformat() if user.banned_at else None}  # fmt: skip
    until = None
    if kind == ActionKind.SUSPEND:
        until = utcnow() + timedelta(days=int(days))
        user.suspended_until = until
        user.suspension_reason = reason
    elif kind == ActionKind.BAN:
        user.banned_at = utcnow()
        drop_sessions(user)  # logged out at once, everywhere
    db.session.add(ModerationAction(item_id=item.id if item else None, actor_id=actor.id, target_user_id=user.id,
                                    kind=kind, reason=reason, suspended_until=until))  # fmt: skip
    audit.record(actor, f"moderation.user_{kind.value}", user, before,
                 {"suspended_until": until.isoformat() if until else before["suspended_until"],
                  "banned_at": user.banned_at.isoformat() if user.banned_at else None, "reason": reason})  # fmt: skip
    notify.sanction(user, kind, reason, until)


def sanction_user(actor: User, user: User, kind: str, reason: str, days: int | None = None) -> None:
    """Warn, suspend (for `days`) or ban a user outside an item decision."""
    require_moderator(actor)
    try:
        k = ActionKind(kind)
    except ValueError as exc:
        raise ValidationFailed("Unknown action.") from exc
    if k not in AUTHOR_ACTIONS:
        raise ValidationFailed("Unknown action.")
    if not (reason or "").strip():
        raise ValidationFailed("Give a reason; it is sent to the user.", fields={"reason": "Required."})
    if k == ActionKind.SUSPEND and not (days and 1 <= int(days) <= 365):
        raise ValidationFailed("Suspend for 1 to 365 days.", fields={"suspend_days": "1 to 365 days."})
    if user.id == actor.id:
        raise duties.refuse(actor, f"moderation.user_{k.value}", user, "You cannot sanction yourself.")
    record_sanction(actor, user, k, reason.strip(), days)
    commit()
