"""Demo community: groups with members, discussions and replies, and flags gathered in moderation items."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import markdown
import nh3
import sqlalchemy as sa

from app.accounts.models import User
from app.community.models import Discussion, Group, GroupMembership, MemberRole, PostVisibility, Reply
from app.extensions import db
from app.moderation.models import ActionKind, Flag, FlagReason, ModerationAction, ModerationItem, TargetType

GROUPS = [
    ("career-changers", "Career changers", "For anyone moving into a new field.", False),
    ("new-managers", "New managers", "The first year of leading a team.", False),
    ("parents-at-work", "Parents at work", "Balancing family and a career.", False),
    ("coaches-lounge", "Coaches' lounge", "A private space for coaches to share practice.", True),
]
TOPICS = [
    ("How do you prepare for a first session?", "I write down **three questions** I want answered. What works for you?"),
    ("Feedback that actually lands", "Has anyone tried the *situation-behaviour-impact* model with a difficult report?"),
    ("Switching careers at 40", "Looking for stories from people who made the jump.\n\n- What surprised you?\n- What would you do differently?"),
    ("Weekly planning rituals", "I block Friday afternoons for a review. Curious about your routines."),
    ("Dealing with impostor feelings", "New role, big team, and I keep waiting to be found out."),
    ("Book recommendations", "Please share the one book that changed how you work. Mine: *Deep Work*."),
]  # fmt: skip
REPLIES = [
    "Thanks for sharing, this resonates a lot.",
    "I tried this last month and it **really** helped.",
    "Could you say more about the second point?",
    "Same here. Small steps, every week.",
    "My coach suggested journaling for this, worth a try.",
    "Great question, following this thread.",
    "BUY CHEAP FOLLOWERS at [this link](http://example.com/spam) !!!",
]


def render_markdown(body_md: str) -> str:
    """Markdown to HTML, sanitised so no script, style or event handler survives."""
    return nh3.clean(markdown.markdown(body_md))


def _ensure_group(
    slug: str, name: str, description: str, is_private: bool, owner: User, members: list[User]
) -> Group | None:
    """The group, created with its members when missing; None when it already existed."""
    if db.session.scalar(sa.select(Group.id).where(Group.slug == slug)):
        return None
    group = Group(slug=slug, name=name, description=description, is_private=is_private, owner_id=owner.id)
    db.session.add(group)
    db.session.flush()
    db.session.add(GroupMembership(group_id=group.id, user_id=owner.id, role=MemberRole.OWNER))
    for member in members:
        if member.id != owner.id:
            db.session.add(GroupMembership(group_id=group.id, user_id=member.id))
    db.session.flush()
    return group


def _flag(
    target_type: TargetType,
    target_id: int,
    author: User,
    group: Group,
    reporters: list[User],
    reason: FlagReason,
    at: datetime,
    hide: bool,
) -> None:
    item = ModerationItem(
        target_type=target_type,
        target_id=target_id,
        author_id=author.id,
        group_id=group.id,
        flag_count=len(reporters),
        top_reason=reason,
        priority=float(len(reporters)),
        is_hidden=hide,
        first_flagged_at=at,
        last_flagged_at=at + timedelta(minutes=10 * (len(reporters) - 1)),
        created_at=at,
    )
    db.session.add(item)
    db.session.flush()
    for n, reporter in enumerate(reporters):
        note = "Looks like spam to me." if reason == FlagReason.SPAM else ""
        db.session.add(
            Flag(
                item_id=item.id,
                reporter_id=reporter.id,
                target_type=target_type,
                target_id=target_id,
                reason=reason,
                note=note,
                created_at=at + timedelta(minutes=10 * n),
            )  # fmt: skip
        )
    if hide:
        db.session.add(
            ModerationAction(
                item_id=item.id,
                target_user_id=author.id,
                kind=ActionKind.AUTO_HIDE,
                reason="Flag threshold reached.",
                created_at=item.last_flagged_at,
            )
        )


def seed_community(coaches: list[User], clients: list[User]) -> None:
    """Create the missing demo groups with their discussions, replies and flags."""
    rng = random.Random(42)
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    people = coaches[:12] + clients
    for g, (slug, name, description, is_private) in enumerate(GROUPS):
        owner = coaches[g]
        members = coaches[:12] if is_private else rng.sample(people, min(10, len(people)))
        group = _ensure_group(slug, name, description, is_private, owner, members)
        if group is None:
            continue
        group.created_at = now - timedelta(days=60 - g)
        for t, (title, body) in enumerate(rng.sample(TOPICS, 3)):
            author = rng.choice(members)
            started = now - timedelta(days=rng.randrange(2, 40), hours=rng.randrange(24))
            discussion = Discussion(group_id=group.id, author_id=author.id, title=title, body_md=body,
                                    body_html=render_markdown(body), created_at=started, last_activity_at=started)  # fmt: skip
            db.session.add(discussion)
            db.session.flush()
            replies = []
            for r in range(rng.randint(1, 5)):
                text = rng.choice(REPLIES[:-1])
                spam = g == 0 and t == 0 and r == 0  # one spam reply, flagged and auto-hidden
                text = REPLIES[-1] if spam else text
                at = started + timedelta(hours=3 * (r + 1))
                reply = Reply(discussion_id=discussion.id, author_id=rng.choice(members).id, body_md=text,
                              body_html=render_markdown(text), created_at=at,
                              visibility=PostVisibility.HIDDEN if spam else PostVisibility.VISIBLE)  # fmt: skip
                db.session.add(reply)
                replies.append(reply)
            discussion.reply_count = len(replies)
            discussion.last_activity_at = max(r.created_at for r in replies)
            db.session.flush()
            _flag_some(rng, group, discussion, replies, members)


def _flag_some(
    rng: random.Random, group: Group, discussion: Discussion, replies: list[Reply], members: list[User]
) -> None:
    """Flag the spam reply (auto-hidden) and, now and then, another reply or the discussion."""
    for reply in replies:
        spam = reply.visibility == PostVisibility.HIDDEN
        if not spam and rng.random() > 0.2:
            continue
        author = db.session.get(User, reply.author_id)
        candidates = [m for m in members if m.id != reply.author_id]
        reporters = rng.sample(candidates, 3 if spam else rng.randint(1, 2))
        reason = (
            FlagReason.SPAM
            if spam
            else rng.choice([FlagReason.OFF_TOPIC, FlagReason.INAPPROPRIATE, FlagReason.HARASSMENT])
        )
        _flag(TargetType.REPLY, reply.id, author, group, reporters, reason, reply.created_at + timedelta(hours=1), spam)
    if rng.random() < 0.25:
        author = db.session.get(User, discussion.author_id)
        reporter = rng.choice([m for m in members if m.id != discussion.author_id])
        _flag(
            TargetType.DISCUSSION,
            discussion.id,
            author,
            group,
            [reporter],
            FlagReason.OFF_TOPIC,
            discussion.created_at + timedelta(hours=2),
            False,
        )
