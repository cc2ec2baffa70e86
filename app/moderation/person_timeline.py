"""The person timeline's moderation sections: flags they raised and received, actions about them."""

from __future__ import annotations

import sqlalchemy as sa
from flask import url_for
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.moderation.models import Flag, ModerationAction, ModerationItem
from app.staff.inbox import named
from app.staff.timeline import TimelineEntry


def _item_url(item_id: int | None) -> str | None:
    return url_for("moderation_staff.item", item_id=item_id) if item_id else None


def flags_read(person, limit: int) -> list[TimelineEntry]:
    """Flags they raised (with how each ended) and the items about their content (messages too)."""
    raised = db.session.scalars(
        sa.select(Flag)
        .where(Flag.reporter_id == person.id)
        .options(joinedload(Flag.item))
        .order_by(Flag.created_at.desc())
        .limit(limit)
    )
    received = db.session.scalars(
        sa.select(ModerationItem)
        .where(ModerationItem.author_id == person.id)
        .order_by(ModerationItem.first_flagged_at.desc())
        .limit(limit)
    )
    out = [
        TimelineEntry(
            f.created_at,
            "flags",
            f"Flagged {f.target_type.value} #{f.target_id} as {f.reason.value.replace('_', ' ')}"
            + (f": “{f.note[:120]}”" if f.note else ""),
            _item_url(f.item_id),
            f"{f.status.value} (item {f.item.status.value})",
        )
        for f in raised
    ]
    out += [
        TimelineEntry(
            i.first_flagged_at,
            "flags",
            f"Their {i.target_type.value} #{i.target_id} was flagged ×{i.flag_count}"
            + (f" ({i.top_reason.value.replace('_', ' ')})" if i.top_reason else ""),
            _item_url(i.id),
            i.status.value,
        )
        for i in received
    ]
    return out


def actions_read(person, limit: int) -> list[TimelineEntry]:
    """Moderators' actions about them (warnings, suspensions, hidden posts), with reasons."""
    rows = db.session.scalars(
        sa.select(ModerationAction)
        .where(ModerationAction.target_user_id == person.id)
        .options(named(ModerationAction.actor))
        .order_by(ModerationAction.created_at.desc())
        .limit(limit)
    )
    out = []
    for a in rows:
        by = a.actor.full_name or a.actor.email if a.actor else "the system"
        until = f" until {a.suspended_until:%Y-%m-%d}" if a.suspended_until else ""
        reason = f": {a.reason[:200]}" if a.reason else ""
        out.append(TimelineEntry(a.created_at, "moderation", f"{a.kind.value.replace('_', ' ')}{until} by {by}{reason}",
                                 _item_url(a.item_id)))  # fmt: skip
    return out
