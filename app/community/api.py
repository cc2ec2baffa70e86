"""Community JSON API: groups, discussions, replies and flags (Bearer token or session)."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_login import current_user

from app.api.bodies import json_object
from app.api.openapi import document
from app.community import queries, services
from app.community.models import Discussion, Group
from app.core import ids
from app.core.errors import NotFound, ValidationFailed
from app.core.security import login_required, public
from app.extensions import db
from app.moderation.services import flag_target

bp = Blueprint("community_api", __name__)

AUTHOR = {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}}
GROUP = {
    "type": "object",
    "required": ["id", "slug", "name", "is_private"],
    "properties": {
        "id": {"type": "integer"},
        "slug": {"type": "string"},
        "name": {"type": "string"},
        "description": {"type": "string"},
        "is_private": {"type": "boolean"},
        "membership": {"type": ["string", "null"], "enum": ["active", "pending", None]},
    },
}
POST_FIELDS = {
    "id": {"type": "integer"},
    "author": AUTHOR,
    "body_html": {"type": "string", "description": "Sanitised HTML rendered from the Markdown body"},
    "visibility": {"type": "string", "enum": ["visible", "pending_review", "hidden", "removed"]},
    "created_at": {"type": "string", "format": "date-time"},
    "edited_at": {"type": ["string", "null"], "format": "date-time"},
}
DISCUSSION = {
    "type": "object",
    "properties": {
        **POST_FIELDS,
        "group_id": {"type": "integer"},
        "title": {"type": "string"},
        "reply_count": {"type": "integer"},
        "last_activity_at": {"type": "string", "format": "date-time"},
    },
}
REPLY = {"type": "object", "properties": {**POST_FIELDS, "discussion_id": {"type": "integer"}}}


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


def _list(item_schema: dict, cursor: str = "next_cursor") -> dict:
    return {"type": "object", "properties": {"items": {"type": "array", "items": item_schema},
                                             cursor: {"type": ["string", "integer", "null"]}}}  # fmt: skip


@bp.get("/groups")
@document("Groups (private ones listed with the caller's membership)", responses={"200": _list(GROUP)})
@public
def list_groups():
    """All groups by name."""
    return jsonify(items=[group_json(g, m) for g, m in queries.groups_for(current_user)], next_cursor=None)


@bp.post("/groups")
@document(
    "Start a group",
    request={"type": "object", "required": ["name"], "properties": {
        "name": {"type": "string"}, "description": {"type": "string"}, "is_private": {"type": "boolean"}}},
    responses={"201": GROUP},
)  # fmt: skip
@login_required
def create_group():
    """Start a group owned by the caller."""
    data = json_object()
    g = services.create_group(current_user, str(data.get("name", "")), str(data.get("description", "")),
                              bool(data.get("is_private", False)))  # fmt: skip
    return jsonify(group_json(g, services.membership(current_user, g))), 201


@bp.get("/groups/<int:group_id>/discussions")
@document(
    "A group's discussions, newest activity first (keyset: pass next_cursor as ?after=)",
    parameters=[{"name": "after", "in": "query", "required": False, "schema": {"type": "string"}}],
    responses={"200": _list(DISCUSSION)},
)
@public
def list_discussions(group_id: int):
    """Discussions in a group the caller can read."""
    page = queries.discussions_page(_group(group_id), current_user, request.args.get("after"))
    return jsonify(items=[discussion_json(d) for d in page.items], next_cursor=page.next_cursor)


@bp.post("/groups/<int:group_id>/discussions")
@document(
    "Start a discussion (Markdown body; may be held for review)",
    request={"type": "object", "required": ["title", "body"],
             "properties": {"title": {"type": "string"}, "body": {"type": "string"}}},
    responses={"201": DISCUSSION},
)  # fmt: skip
@login_required
def create_discussion(group_id: int):
    """Post a discussion."""
    data = json_object()
    d = services.post_discussion(current_user, _group(group_id), str(data.get("title", "")),
                                 str(data.get("body", "")))  # fmt: skip
    return jsonify(discussion_json(d)), 201


@bp.get("/discussions/<int:discussion_id>/replies")
@document(
    "Replies in posting order after reply id ?after= (poll with next_after)",
    parameters=[{"name": "after", "in": "query", "required": False, "schema": {"type": "integer"}}],
    responses={"200": _list(REPLY, "next_after")},
)
@public
def list_replies(discussion_id: int):
    """Replies of a discussion the caller can read."""
    d = _discussion(discussion_id)
    after = ids.clamp(request.args.get("after", 0, type=int))
    replies = queries.replies_after(d, current_user, after, limit=100)
    return jsonify(items=[reply_json(r) for r in replies], next_after=replies[-1].id if replies else after)


@bp.post("/discussions/<int:discussion_id>/replies")
@document(
    "Reply (Markdown body; may be held for review)",
    request={"type": "object", "required": ["body"], "properties": {"body": {"type": "string"}}},
    responses={"201": REPLY},
)
@login_required
def create_reply(discussion_id: int):
    """Post a reply."""
    data = json_object()
    r = services.post_reply(current_user, _discussion(discussion_id), str(data.get("body", "")))
    return jsonify(reply_json(r)), 201


@bp.post("/flags")
@document(
    "Flag a discussion, reply, profile or message (one open flag per user per item)",
    request={"type": "object", "required": ["target_type", "target_id", "reason"], "properties": {
        "target_type": {"type": "string", "enum": ["discussion", "reply", "profile", "message"]},
        "target_id": {"type": "integer"},
        "reason": {"type": "string", "enum": ["spam", "harassment", "inappropriate", "off_topic", "other"]},
        "note": {"type": "string", "description": "Required when reason is other"}}},
    responses={"201": {"type": "object", "properties": {
        "id": {"type": "integer"}, "item_id": {"type": "integer"}, "status": {"type": "string"},
        "hidden": {"type": "boolean"}}}},
)  # fmt: skip
@login_required
def create_flag():
    """Flag something."""
    data = json_object()
    try:
        target_id = int(data.get("target_id"))
    except (TypeError, ValueError):
        raise ValidationFailed("target_id must be a number.", fields={"target_id": "A number."}) from None
    f = flag_target(current_user, str(data.get("target_type", "")), target_id, str(data.get("reason", "")),
                    str(data.get("note", "") or ""))  # fmt: skip
    return jsonify(id=f.id, item_id=f.item_id, status=f.status.value, hidden=f.item.is_hidden), 201
