"""Read-side queries for community pages and the API (no writes)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from app.community.models import (
    Discussion,
    Group,
    GroupMembership,
    MembershipStatus,
    PostVisibility,
    Reply,
    is_moderator,
)
from app.core.pagination import Page, keyset_page
from app.extensions import db
from app.moderation.models import Flag, FlagStatus, TargetType


def _visible_to(model, user):
    """Rows of `model` the user may see: visible ones, plus their own held posts; all for moderators."""
    if is_moderator(user):
        return sa.true()
    cond = sa.and_(model.visibility == PostVisibility.VISIBLE, model.deleted_at.is_(None))
    if user is not None and user.is_authenticated:
        own = sa.and_(
            model.author_id == user.id,
            model.deleted_at.is_(None),
            model.visibility.in_([PostVisibility.PENDING_REVIEW, PostVisibility.HIDDEN]),
        )
        cond = sa.or_(cond, own)
    return cond


def groups_for(user) -> list[tuple[Group, GroupMembership | None]]:
    """All groups by name with the user's membership (public and private alike are listed)."""
    stmt = sa.select(Group).order_by(Group.name)
    groups = list(db.session.scalars(stmt))
    mine = {}
    if user is not None and user.is_authenticated:
        mine = {
            m.group_id: m
            for m in db.session.scalars(sa.select(GroupMembership).where(GroupMembership.user_id == user.id))
        }
    return [(g, mine.get(g.id)) for g in groups]


def discussions_page(group: Group, user, cursor: str | None, limit: int = 25) -> Page:
    """A group's discussions, newest activity first, keyset-paginated, authors loaded in one go."""
    stmt = (
        sa.select(Discussion)
        .options(joinedload(Discussion.author))
        .where(Discussion.group_id == group.id, _visible_to(Discussion, user))
    )
    return keyset_page(stmt, [Discussion.last_activity_at, Discussion.id], True, cursor, limit)


def replies_after(discussion: Discussion, user, after_id: int = 0, limit: int = 200) -> list[Reply]:
    """Replies in posting order after reply id `after_id` (for the page and for polling)."""
    stmt = (
        sa.select(Reply)
        .options(joinedload(Reply.author))
        .where(Reply.discussion_id == discussion.id, Reply.id > after_id, _visible_to(Reply, user))
        .order_by(Reply.id)
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def flagged_by(user, target_type: TargetType, ids: list[int]) -> set[int]:
    """Which of these targets the user has an open flag on ("you flagged this")."""
    if user is None or not user.is_authenticated or not ids:
        return set()
    stmt = sa.select(Flag.target_id).where(
        Flag.reporter_id == user.id,
        Flag.target_type == target_type,
        Flag.target_id.in_(ids),
        Flag.status == FlagStatus.OPEN,
    )
    return set(db.session.scalars(stmt))


def pending_members(group: Group) -> list[GroupMembership]:
    """Join requests waiting in a private group."""
    stmt = (
        sa.select(GroupMembership)
        .options(joinedload(GroupMembership.user))
        .where(GroupMembership.group_id == group.id, GroupMembership.status == MembershipStatus.PENDING)
        .order_by(GroupMembership.created_at)
    )
    return list(db.session.scalars(stmt))
