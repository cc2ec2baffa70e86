"""Community JSON API: groups, discussions, replies and flags (Bearer token or session)."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_login import current_user

from app.api.spec import args, body, operation
from app.community import queries, services
from app.community.models import Discussion, Group
from app.community.schemas import (
    AfterCursor,
    AfterReply,
    DiscussionOut,
    DiscussionPage,
    FlagOut,
    GroupList,
    GroupOut,
    NewDiscussion,
    NewFlag,
    NewGroup,
    NewReply,
    ReplyOut,
    ReplyPage,
)
from app.core import ids
from app.core.errors import NotFound
from app.core.security import login_required, public
from app.extensions import db
from app.moderation.services import flag_target

bp = Blueprint("community_api", __name__)


def _iso(value):
    return value.isoformat() if value else None


def _post(p) -> dict:
    return {
        "id": p.id,
        "author": {"id": p.author_id, "name": p.author.full_name},
        "body_html": p.body_html,
        "visibility": p.visibility.value,
        "created_at": _iso(p.created_at),
        "edited_at": _iso(p.edited_at),
    }


def discussion_json(d: Discussion) -> dict:
    """A discussion as the API shows it."""
    return {**_post(d), "group_id": d.group_id, "title": d.title, "reply_count": d.reply_count,
            "last_activity_at": _iso(d.last_activity_at)}  # fmt: skip


def reply_json(r) -> dict:
    """A reply as the API shows it."""
    return {**_post(r), "discussion_id": r.discussion_id}


def group_json(g: Group, m=None) -> dict:
    """A group as the API shows it."""
    return {"id": g.id, "slug": g.slug, "name": g.name, "description": g.description, "is_private": g.is_private,
            "membership": m.status.value if m else None}  # fmt: skip


def _group(group_id: int) -> Group:
    group = db.session.get(Group, group_id)
    if group is None or not services.can_read(current_user, group):
        raise NotFound("No such group.")
    return group


def _discussion(discussion_id: int) -> Discussion:
    d = db.session.get(Discussion, discussion_id)
    if d is None or not services.can_read(current_user, d.group) or not services.can_see_post(current_user, d):
        raise NotFound("No such discussion.")
    return d


@bp.get("/groups")
@public
@operation("Groups (private ones listed with the caller's membership)", resp={200: GroupList})
def list_groups():
    """All groups by name."""
    return jsonify(items=[group_json(g, m) for g, m in queries.groups_for(current_user)], next_cursor=None)


@bp.post("/groups")
@login_required
@operation("Start a group", json=NewGroup, resp={201: GroupOut})
def create_group():
    """Start a group owned by the caller."""
    data = body()
    g = services.create_group(current_user, data.name, data.description, data.is_private)
    return jsonify(group_json(g, services.membership(current_user, g))), 201


@bp.get("/groups/<int:group_id>/discussions")
@public
@operation(
    "A group's discussions, newest activity first (keyset: pass next_cursor as ?after=)",
    query=AfterCursor,
    resp={200: DiscussionPage},
)
def list_discussions(group_id: int):
    """Discussions in a group the caller can read."""
    page = queries.discussions_page(_group(group_id), current_user, args().after)
    return jsonify(items=[discussion_json(d) for d in page.items], next_cursor=page.next_cursor)


@bp.post("/groups/<int:group_id>/discussions")
@login_required
@operation("Start a discussion (Markdown body; may be held for review)", json=NewDiscussion, resp={201: DiscussionOut})
def create_discussion(group_id: int):
    """Post a discussion."""
    data = body()
    d = services.post_discussion(current_user, _group(group_id), data.title, data.body)
    return jsonify(discussion_json(d)), 201


@bp.get("/discussions/<int:discussion_id>/replies")
@public
@operation("Replies in posting order after reply id ?after= (poll with next_after)", query=AfterReply,
           resp={200: ReplyPage})  # fmt: skip
def list_replies(discussion_id: int):
    """Replies of a discussion the caller can read."""
    d = _discussion(discussion_id)
    args()
    after = ids.clamp(request.args.get("after", 0, type=int))
    replies = queries.replies_after(d, current_user, after, limit=100)
    return jsonify(items=[reply_json(r) for r in replies], next_after=replies[-1].id if replies else after)


@bp.post("/discussions/<int:discussion_id>/replies")
@login_required
@operation("Reply (Markdown body; may be held for review)", json=NewReply, resp={201: ReplyOut})
def create_reply(discussion_id: int):
    """Post a reply."""
    text = body().body
    r = services.post_reply(current_user, _discussion(discussion_id), text)
    return jsonify(reply_json(r)), 201


@bp.post("/flags")
@login_required
@operation("Flag a discussion, reply, profile or message (one open flag per user per item)", json=NewFlag,
           resp={201: FlagOut})  # fmt: skip
def create_flag():
    """Flag something."""
    data = body()
    f = flag_target(current_user, data.target_type, data.target_id, data.reason, data.note or "")
    return jsonify(id=f.id, item_id=f.item_id, status=f.status.value, hidden=f.item.is_hidden), 201
