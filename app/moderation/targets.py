"""What can be flagged: finding a target, its author and group, and hiding or showing it."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import sqlalchemy as sa

from app.coaches.models import CoachProfile
from app.community.models import Discussion, PostRevision, PostVisibility, Reply
from app.community.rendering import render_markdown
from app.core.db import utcnow
from app.core.errors import InvalidState, NotFound
from app.extensions import db
from app.messaging.models import Message
from app.moderation.models import TargetType

MODELS = {
    TargetType.DISCUSSION: Discussion,
    TargetType.REPLY: Reply,
    TargetType.PROFILE: CoachProfile,
    TargetType.MESSAGE: Message,
}


@dataclass
class Target:
    """A flaggable object with the facts the queue needs."""

    type: TargetType
    obj: object
    author_id: int | None
    group_id: int | None

    @property
    def id(self) -> int:
        """The target's primary key."""
        return self.obj.id


def load_target(target_type: TargetType, target_id: int) -> Target:
    """The target, or NotFound."""
    from app.core.ids import fits

    obj = db.session.get(MODELS[target_type], target_id) if fits(target_id) else None
    if obj is None:
        raise NotFound(f"No such {target_type.value}.")
    if target_type == TargetType.DISCUSSION:
        return Target(target_type, obj, obj.author_id, obj.group_id)
    if target_type == TargetType.REPLY:
        return Target(target_type, obj, obj.author_id, obj.discussion.group_id)
    if target_type == TargetType.PROFILE:
        return Target(target_type, obj, obj.user_id, None)
    return Target(target_type, obj, obj.sender_id, None)


def target_of(post) -> Target:
    """The Target for a discussion, reply or message object."""
    if isinstance(post, Message):
        return Target(TargetType.MESSAGE, post, post.sender_id, None)
    if isinstance(post, Discussion):
        return Target(TargetType.DISCUSSION, post, post.author_id, post.group_id)
    return Target(TargetType.REPLY, post, post.author_id, post.discussion.group_id)


def can_flag_see(user, target: Target) -> bool:
    """Whether the user can see the target at all (flagging what you cannot see is refused)."""
    from app.community.services import can_read, can_see_post

    if target.type in (TargetType.DISCUSSION, TargetType.REPLY):
        group = target.obj.group if target.type == TargetType.DISCUSSION else target.obj.discussion.group
        return can_read(user, group) and can_see_post(user, target.obj)
    if target.type == TargetType.MESSAGE:
        return user.id in (target.obj.sender_id, target.obj.recipient_id)
    return bool(target.obj.is_active)


def hide(target: Target, *, remove: bool = False) -> None:
    """Take the target out of sight (posts: hidden or removed; messages hidden; profiles inactive)."""
    from app.community.services import set_visibility

    if target.type in (TargetType.DISCUSSION, TargetType.REPLY):
        set_visibility(target.obj, PostVisibility.REMOVED if remove else PostVisibility.HIDDEN)
    elif target.type == TargetType.MESSAGE:
        target.obj.is_hidden = True
    else:
        target.obj.is_active = False


def show(target: Target) -> None:
    """Show a target that moderation (or a watched word) had taken out of sight."""
    from app.community.services import set_visibility

    if target.type in (TargetType.DISCUSSION, TargetType.REPLY):
        if target.obj.visibility in (PostVisibility.HIDDEN, PostVisibility.PENDING_REVIEW):
            set_visibility(target.obj, PostVisibility.VISIBLE)
    elif target.type == TargetType.MESSAGE:
        target.obj.is_hidden = False
    else:
        target.obj.is_active = True


def edit_out(target: Target, new_body: str, editor, note: str) -> None:
    """Replace the body with the moderator's edited version, keeping the old one as a revision."""
    new_body = (new_body or "").strip()
    if not new_body:
        raise InvalidState("Give the edited text.")
    if target.type in (TargetType.DISCUSSION, TargetType.REPLY):
        post = target.obj
        db.session.add(
            PostRevision(
                target_type=target.type.value, target_id=post.id, body_md=post.body_md, editor_id=editor.id, note=note
            )
        )
        post.body_md = new_body
        post.body_html = render_markdown(new_body)
        post.edited_at = utcnow()
    elif target.type == TargetType.MESSAGE:
        target.obj.body = new_body
    else:
        raise InvalidState("Profiles cannot be edited from the moderation queue; hide the profile instead.")


def excerpt(target: Target) -> str:
    """A short plain-text view of the target's content."""
    from app.community.rendering import html_excerpt

    obj = target.obj
    if target.type == TargetType.DISCUSSION:
        return f"{obj.title}: {html_excerpt(obj.body_html, 200)}"
    if target.type == TargetType.REPLY:
        return html_excerpt(obj.body_html, 200)
    if target.type == TargetType.MESSAGE:
        return obj.body[:200]
    return f"{obj.headline}: {obj.bio[:160]}"


EXCERPT_COLUMNS = {  # what excerpt() reads of each kind of target
    TargetType.DISCUSSION: ("title", "body_html"),
    TargetType.REPLY: ("body_html",),
    TargetType.MESSAGE: ("body",),
    TargetType.PROFILE: ("headline", "bio"),
}


@functools.cache
def _excerpt_rows(kind: TargetType) -> sa.Select:
    """The excerpt's columns of targets of one type, for :ids (built once)."""
    model = MODELS[kind]
    columns = [getattr(model, name) for name in EXCERPT_COLUMNS[kind]]
    return sa.select(model.id, *columns).where(model.id.in_(sa.bindparam("ids", expanding=True)))


def excerpt_texts(targets: set[tuple[TargetType, int]]) -> dict[tuple[TargetType, int], str]:
    """{(type, id): excerpt} of these targets, one query of only the excerpt's columns per type (a
    missing target is left out)."""
    out: dict[tuple[TargetType, int], str] = {}
    for kind in TargetType:
        ids = [target_id for k, target_id in targets if k == kind]
        if not ids:
            continue
        for row in db.session.execute(_excerpt_rows(kind), {"ids": ids}):
            out[(kind, row.id)] = excerpt(Target(kind, row, None, None))  # the row has the columns excerpt reads
    return out
