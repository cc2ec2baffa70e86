"""Moderation JSON API: the queue and decisions (moderators only)."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_login import current_user

from app.api.spec import args, body, operation
from app.core.errors import NotFound
from app.core.roles import MODERATOR_ROLES
from app.core.security import roles_required
from app.extensions import db
from app.moderation import queries
from app.moderation.models import ModerationItem
from app.moderation.schemas import Decision, ItemOut, QueuePage, QueueQuery
from app.moderation.services import decide

bp = Blueprint("moderation_api", __name__)


@bp.get("/moderation/queue")
@roles_required(*MODERATOR_ROLES)
@operation(
    "The moderators' queue, by priority (or ?sort=age), filtered, keyset-paginated",
    query=QueueQuery,
    resp={200: QueuePage},
)
def queue():
    """Items with their reasons."""
    args()
    filters = queries.QueueFilters.from_args(request.args)
    page = queries.queue_page(filters, current_user.id, request.args.get("after"))
    reasons = queries.reasons_by_item([i.id for i in page.items])
    return jsonify(
        items=[queries.item_json(i, reasons[i.id]) for i in page.items],
        next_cursor=page.next_cursor,
        counts=queries.status_counts(),
    )


@bp.post("/moderation/items/<int:item_id>/decision")
@roles_required(*MODERATOR_ROLES)
@operation(
    "Decide an item: keep, hide, remove, edit (edited_body) or warn/suspend/ban the author (which also hides)",
    json=Decision,
    resp={200: ItemOut},
)
def decision(item_id: int):
    """One decision; 409 when another moderator decided first or holds the item."""
    item = db.session.get(ModerationItem, item_id)
    if item is None:
        raise NotFound("No such item.")
    data = body()
    decide(
        current_user,
        item,
        data.action,
        data.reason or "",
        author_action=data.author_action,
        suspend_days=data.suspend_days,
        edited_body=data.edited_body,
    )
    return jsonify(queries.item_json(item, queries.reasons_by_item([item.id])[item.id]))
