"""Moderation JSON API: the queue and decisions (moderators only)."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_login import current_user

from app.api.bodies import json_object
from app.api.openapi import document
from app.core.errors import NotFound
from app.core.inputs import ascii_int
from app.core.roles import MODERATOR_ROLES
from app.core.security import roles_required
from app.extensions import db
from app.moderation import queries
from app.moderation.models import ModerationItem
from app.moderation.services import decide

bp = Blueprint("moderation_api", __name__)

ITEM = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "target_type": {"type": "string", "enum": ["discussion", "reply", "profile", "message"]},
        "target_id": {"type": "integer"},
        "author_id": {"type": ["integer", "null"]},
        "group_id": {"type": ["integer", "null"]},
        "status": {"type": "string", "enum": ["pending", "kept", "hidden", "removed", "edited"]},
        "priority": {"type": "number"},
        "flag_count": {"type": "integer"},
        "top_reason": {"type": ["string", "null"]},
        "reasons": {"type": "object", "additionalProperties": {"type": "integer"}},
        "is_hidden": {"type": "boolean"},
        "first_flagged_at": {"type": "string", "format": "date-time"},
        "claimed_by": {"type": ["integer", "null"]},
        "version": {"type": "integer"},
    },
}
QUERY = [
    {"name": n, "in": "query", "required": False, "schema": {"type": "string"}}
    for n in ("status", "reason", "target_type", "group", "assignee", "hidden", "sort", "after")
]


@bp.get("/moderation/queue")
@document(
    "The moderators' queue, by priority (or ?sort=age), filtered, keyset-paginated",
    parameters=QUERY,
    responses={"200": {"type": "object", "properties": {
        "items": {"type": "array", "items": ITEM}, "next_cursor": {"type": ["string", "null"]},
        "counts": {"type": "object", "additionalProperties": {"type": "integer"}}}}},
)  # fmt: skip
@roles_required(*MODERATOR_ROLES)
def queue():
    """Items with their reasons."""
    filters = queries.QueueFilters.from_args(request.args)
    page = queries.queue_page(filters, current_user.id, request.args.get("after"))
    reasons = queries.reasons_by_item([i.id for i in page.items])
    return jsonify(
        items=[queries.item_json(i, reasons[i.id]) for i in page.items],
        next_cursor=page.next_cursor,
        counts=queries.status_counts(),
    )


@bp.post("/moderation/items/<int:item_id>/decision")
@document(
    "Decide an item: keep, hide, remove, edit (edited_body) or warn/suspend/ban the author (which also hides)",
    request={"type": "object", "required": ["action"], "properties": {
        "action": {"type": "string", "enum": ["keep", "hide", "remove", "edit", "warn", "suspend", "ban"]},
        "reason": {"type": "string", "description": "Required except for keep; sent to the author"},
        "author_action": {"type": ["string", "null"], "enum": ["warn", "suspend", "ban", None]},
        "suspend_days": {"type": ["integer", "null"]},
        "edited_body": {"type": ["string", "null"]}}},
    responses={"200": ITEM},
)  # fmt: skip
@roles_required(*MODERATOR_ROLES)
def decision(item_id: int):
    """One decision; 409 when another moderator decided first or holds the item."""
    item = db.session.get(ModerationItem, item_id)
    if item is None:
        raise NotFound("No such item.")
    data = json_object()
    days = data.get("suspend_days")
    decide(
        current_user,
        item,
        str(data.get("action", "")),
        str(data.get("reason", "") or ""),
        author_action=str(data["author_action"]) if data.get("author_action") else None,
        suspend_days=ascii_int(days) if isinstance(days, int | str) and not isinstance(days, bool) else None,
        edited_body=data["edited_body"] if isinstance(data.get("edited_body"), str) else None,
    )
    return jsonify(queries.item_json(item, queries.reasons_by_item([item.id])[item.id]))
