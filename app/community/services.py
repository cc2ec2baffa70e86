"""Community state changes: groups, memberships, discussions, replies, edits and deletes."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from app.accounts.models import User
from app.community.models import (
    Discussion,
    Group,
    GroupMembership,
    MemberRole,
    MembershipStatus,
    PostRevision,
    PostVisibility,
    Reply,
)
from app.community.rendering import render_markdown
from app.community.signals import post_held_for_review
from app.core import audit, ids
from app.core.db import utcnow
from app.core.effects import commit
from app.core.errors import Conflict, InvalidState, NotFound, PermissionDenied, RateLimited, ValidationFailed
from app.extensions import db
from app.moderation import rules

Post = Discussion | Reply


def membership(user, group: Group) -> GroupMembership | None:
    """The user's membership row in the group, if any."""
    if user is None or not user.is_authenticated:
        return None
    return db.session.get(GroupMembership, (group.id, user.id))


def can_read(user, group: Group) -> bool:
    """Whether the user may read the group (Group.can_be_read_by with the user's membership)."""
    if not group.is_private:
        return True
    return group.can_be_read_by(user, membership(user, group))


def can_see_post(user, post: Post) -> bool:
    """Whether the user sees the post (AuthoredPost.is_visible_to)."""
    return post.is_visible_to(user)


def edit_window() -> timedelta:
    """How long after posting the author may edit (the moderators' setting)."""
    return timedelta(minutes=int(rules.get_setting(rules.EDIT_WINDOW_MINUTES)))


def _slug(name: str) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60] or "group"
    slug, n = base, 1
    while db.session.scalar(sa.select(Group.id).where(Group.slug == slug)) is not None:
        n += 1
        slug = f"{base}-{n}"
    return slug


def create_group(actor: User, name: str, description: str, is_private: bool) -> Group:
    """A new group owned by the actor."""
    rules.ensure_can_post(actor)
    name = (name or "").strip()
    if not name:
        raise ValidationFailed("Give the group a name.", fields={"name": "Required."})
    group = Group(name=name[:120], description=(description or "").strip(), is_private=is_private, owner_id=actor.id)
    group.slug = _slug(name)
    db.session.add(group)
    db.session.flush()
    db.session.add(GroupMembership(group_id=group.id, user_id=actor.id, role=MemberRole.OWNER))
    audit.record(actor, "community.group_created", group, None, {"name": group.name, "is_private": is_private})
    commit()
    return group


def join_group(actor: User, group: Group) -> GroupMembership:
    """Join a public group at once, or ask to join a private one."""
    existing = membership(actor, group)
    if existing is not None:
        if existing.status == MembershipStatus.PENDING:
            raise Conflict("Your request to join is waiting for the group's owner.")
        raise Conflict("You are already a member of this group.")
    status = MembershipStatus.PENDING if group.is_private else MembershipStatus.ACTIVE
    m = GroupMembership(group_id=group.id, user_id=actor.id, status=status)
    db.session.add(m)
    audit.record(actor, "community.join_requested" if group.is_private else "community.joined", group)
    commit()
    return m


def approve_membership(actor: User, group: Group, user_id: int) -> GroupMembership:
    """The group's owner or a moderator admits a pending member."""
    if not group.can_be_managed_by(actor):
        raise PermissionDenied("Only the group's owner or a moderator can approve members.")
    m = db.session.get(GroupMembership, (group.id, user_id)) if ids.fits(user_id) else None
    if m is None or m.status != MembershipStatus.PENDING:
        raise InvalidState("There is no pending request from this user.")
    m.status = MembershipStatus.ACTIVE
    audit.record(actor, "community.membership_approved", group, None, {"user_id": user_id})
    commit()
    return m


def check_rate_limit(user: User) -> None:
    """Refuse a post beyond the per-user limit (tighter for new accounts), saying when to retry."""
    limits = rules.get_setting(rules.RATE_LIMIT)
    now = utcnow()
    window = timedelta(seconds=int(limits["window_seconds"]))
    is_new = user.created_at > now - timedelta(days=int(limits["new_account_days"]))
    allowed = int(limits["new_max_posts"] if is_new else limits["max_posts"])
    since = now - window
    times = sa.union_all(
        sa.select(Discussion.created_at.label("t")).where(
            Discussion.author_id == user.id, Discussion.created_at > since
        ),
        sa.select(Reply.created_at.label("t")).where(Reply.author_id == user.id, Reply.created_at > since),
    ).subquery()
    count, oldest = db.session.execute(sa.select(sa.func.count(), sa.func.min(times.c.t))).one()
    if count >= allowed:
        retry = max(int((oldest + window - now).total_seconds()), 1)
        minutes = max(retry // 60, 1)
        who = "New accounts" if is_new else "You"
        raise RateLimited(
            f"You are posting too fast. {who} can post {allowed} times per {int(window.total_seconds() // 60)} "
            f"minutes; try again in about {minutes} minute{'s' if minutes != 1 else ''}.",
            retry_after=retry,
        )


def _ensure_member_for_posting(actor: User, group: Group) -> None:
    """Posting needs read access; a public group is joined on the first post."""
    if not can_read(actor, group):
        raise NotFound("No such group.")
    if membership(actor, group) is None and not group.is_private:
        db.session.add(GroupMembership(group_id=group.id, user_id=actor.id))


def _screen(actor: User, post: Post, *texts: str) -> None:
    """Watched words put the post on hold before it is shown; moderation flags it (a signal)."""
    words = rules.matching_watched_words(*texts)
    if words:
        set_visibility(post, PostVisibility.PENDING_REVIEW)
        post_held_for_review.send(post, note=f"Watched words: {', '.join(words)}")


def set_visibility(post: Post, new: PostVisibility) -> None:
    """Change a post's visibility, keeping the discussion's reply count of visible replies right."""
    old = post.visibility
    post.visibility = new
    if (
        isinstance(post, Reply)
        and post.deleted_at is None
        and (old == PostVisibility.VISIBLE) != (new == PostVisibility.VISIBLE)
    ):
        discussion = post.discussion
        discussion.reply_count = max(discussion.reply_count + (1 if new == PostVisibility.VISIBLE else -1), 0)


def _body(body_md: str) -> str:
    body_md = (body_md or "").strip()
    if not body_md:
        raise ValidationFailed("Write something first.", fields={"body": "Required."})
    if len(body_md) > 20_000:
        raise ValidationFailed("Posts are limited to 20,000 characters.", fields={"body": "Too long."})
    return body_md


def post_discussion(actor: User, group: Group, title: str, body_md: str) -> Discussion:
    """Start a discussion in a group."""
    rules.ensure_can_post(actor)
    title = (title or "").strip()
    if not title:
        raise ValidationFailed("Give the discussion a title.", fields={"title": "Required."})
    body_md = _body(body_md)
    _ensure_member_for_posting(actor, group)
    check_rate_limit(actor)
    now = utcnow()
    d = Discussion(
        group_id=group.id,
        author_id=actor.id,
        title=title[:200],
        body_md=body_md,
        body_html=render_markdown(body_md),
        visibility=PostVisibility.VISIBLE,
        created_at=now,
        last_activity_at=now,
    )
    db.session.add(d)
    db.session.flush()
    _screen(actor, d, title, body_md)
    audit.record(actor, "community.discussion_posted", d, None, {"visibility": d.visibility.value})
    commit()
    return d


def post_reply(actor: User, discussion: Discussion, body_md: str) -> Reply:
    """Reply in a discussion."""
    rules.ensure_can_post(actor)
    body_md = _body(body_md)
    if discussion.deleted_at is not None or discussion.visibility == PostVisibility.REMOVED:
        raise InvalidState("This discussion is closed.")
    _ensure_member_for_posting(actor, discussion.group)
    check_rate_limit(actor)
    now = utcnow()
    r = Reply(
        discussion_id=discussion.id,
        discussion=discussion,
        author_id=actor.id,
        body_md=body_md,
        body_html=render_markdown(body_md),
        visibility=PostVisibility.VISIBLE,
        created_at=now,
    )
    db.session.add(r)
    discussion.reply_count += 1
    db.session.flush()
    _screen(actor, r, body_md)
    if r.visibility == PostVisibility.VISIBLE:
        discussion.last_activity_at = now
    audit.record(actor, "community.reply_posted", r, None, {"visibility": r.visibility.value})
    commit()
    return r


def edit_post(actor: User, post: Post, body_md: str, title: str | None = None) -> Post:
    """The author edits within the edit window; the previous body is kept as a revision."""
    rules.ensure_can_post(actor)
    if not post.is_written_by(actor):
        raise PermissionDenied("Only the author can edit this post.")
    if not post.is_editable:
        raise InvalidState("This post can no longer be edited.")
    window = edit_window()
    if not post.can_be_edited_by(actor, utcnow(), window):
        minutes = int(window.total_seconds() // 60)
        raise InvalidState(f"Posts can be edited for {minutes} minutes after posting; that time has passed.")
    body_md = _body(body_md)
    before = {"body_md": post.body_md}
    kind = "reply" if isinstance(post, Reply) else "discussion"
    db.session.add(PostRevision(target_type=kind, target_id=post.id, body_md=post.body_md, editor_id=actor.id))
    post.body_md = body_md
    post.body_html = render_markdown(body_md)
    if isinstance(post, Discussion) and title and title.strip():
        post.title = title.strip()[:200]
    post.edited_at = utcnow()
    if post.visibility == PostVisibility.VISIBLE:
        _screen(actor, post, body_md, getattr(post, "title", ""))
    audit.record(actor, "community.post_edited", post, before, {"body_md": body_md})
    commit()
    return post


def delete_post(actor: User, post: Post) -> Post:
    """The author deletes a post: hidden from members, still visible to moderators."""
    if not post.is_written_by(actor):
        raise PermissionDenied("Only the author can delete this post.")
    if not post.can_be_deleted_by(actor):
        raise InvalidState("This post is already deleted.")
    if isinstance(post, Reply) and post.visibility == PostVisibility.VISIBLE:
        post.discussion.reply_count = max(post.discussion.reply_count - 1, 0)
    post.deleted_at = utcnow()
    audit.record(actor, "community.post_deleted", post, None, {"deleted_at": post.deleted_at.isoformat()})
    commit()
    return post
