"""Read-side queries for the moderators' queue and item page (constant query count per page)."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import url_for
from sqlalchemy.orm import aliased, joinedload

from app.community.models import Discussion, PostRevision, Reply
from app.core.db import utcnow
from app.core.inputs import ascii_int
from app.core.pagination import Page, keyset_page
from app.extensions import db
from app.moderation.models import (
    Flag,
    FlagReason,
    ItemStatus,
    ModerationAction,
    ModerationItem,
    TargetType,
)
from app.staff.inbox import InboxItem, QueueKeys, person_columns, person_of

PAGE_SIZE = 50


@dataclass
class QueueFilters:
    """The queue's filters as read from the query string (unknown values are ignored)."""

    status: str = "pending"
    reason: str = ""
    target_type: str = ""
    group_id: int | None = None
    assignee: str = ""  # "", "me", "none" or a user id
    hidden: str = ""  # "", "yes", "no"
    sort: str = "priority"  # or "age"
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_args(cls, args) -> QueueFilters:
        """Filters from request.args."""
        statuses = {s.value for s in ItemStatus} | {"all"}
        group = args.get("group", "")
        return cls(
            status=args.get("status", "pending") if args.get("status", "pending") in statuses else "pending",
            reason=args.get("reason", "") if args.get("reason", "") in {r.value for r in FlagReason} else "",
            target_type=args.get("target_type", "") if args.get("target_type", "") in {t.value for t in TargetType}
            else "",
            group_id=ascii_int(group),
            assignee=args.get("assignee", ""),
            hidden=args.get("hidden", "") if args.get("hidden", "") in ("yes", "no") else "",
            sort="age" if args.get("sort") == "age" else "priority",
        )  # fmt: skip

    def as_args(self) -> dict:
        """Non-default filters, for links."""
        out = {"status": self.status, "reason": self.reason, "target_type": self.target_type,
               "group": self.group_id or "", "assignee": self.assignee, "hidden": self.hidden, "sort": self.sort}  # fmt: skip
        return {k: v for k, v in out.items() if v not in ("", None)}


def queue_statement(filters: QueueFilters, me_id: int) -> sa.Select:
    """The filtered items, before ordering (each filter has an index to use)."""
    stmt = sa.select(ModerationItem).options(joinedload(ModerationItem.author), joinedload(ModerationItem.claimed_by))
    if filters.status != "all":
        stmt = stmt.where(ModerationItem.status == ItemStatus(filters.status))
    if filters.reason:
        stmt = stmt.where(ModerationItem.top_reason == FlagReason(filters.reason))
    if filters.target_type:
        stmt = stmt.where(ModerationItem.target_type == TargetType(filters.target_type))
    if filters.group_id:
        stmt = stmt.where(ModerationItem.group_id == filters.group_id)
    if filters.assignee == "me":
        stmt = stmt.where(ModerationItem.claimed_by_id == me_id, ModerationItem.claim_expires_at > utcnow())
    elif filters.assignee == "none":
        stmt = stmt.where(sa.or_(ModerationItem.claimed_by_id.is_(None), ModerationItem.claim_expires_at <= utcnow()))
    elif ascii_int(filters.assignee) is not None:
        stmt = stmt.where(ModerationItem.claimed_by_id == ascii_int(filters.assignee))
    if filters.hidden:
        stmt = stmt.where(ModerationItem.is_hidden.is_(filters.hidden == "yes"))
    return stmt


def queue_page(filters: QueueFilters, me_id: int, cursor: str | None, limit: int = PAGE_SIZE) -> Page:
    """One page of the queue: by priority (highest first) or by age (oldest first)."""
    stmt = queue_statement(filters, me_id)
    if filters.sort == "age":
        return keyset_page(stmt, [ModerationItem.first_flagged_at, ModerationItem.id], False, cursor, limit)
    return keyset_page(stmt, [ModerationItem.priority, ModerationItem.id], True, cursor, limit)


def reasons_by_item(item_ids: list[int]) -> dict[int, dict[str, int]]:
    """{item id: {reason: open-or-not flag count}} for a page of items, in one query."""
    out: dict[int, dict[str, int]] = {i: {} for i in item_ids}
    if not item_ids:
        return out
    rows = db.session.execute(
        sa.select(Flag.item_id, Flag.reason, sa.func.count()).where(Flag.item_id.in_(item_ids))
        .group_by(Flag.item_id, Flag.reason)
    )  # fmt: skip
    for item_id, reason, n in rows:
        out[item_id][reason.value] = n
    return out


def excerpts(items) -> dict[int, str]:
    """{item id: a short plain-text excerpt of its content}, one query per target type on the page."""
    from app.moderation.targets import excerpt_texts

    texts = excerpt_texts({(i.target_type, i.target_id) for i in items})
    return {i.id: texts.get((i.target_type, i.target_id), "(no longer exists)") for i in items}


def group_choices() -> list[tuple[int, str]]:
    """(id, name) of the community groups, for the queue's group filter."""
    from app.community.models import Group

    return list(db.session.execute(sa.select(Group.id, Group.name).order_by(Group.name).limit(500)))


COUNT_CAP = 10_000


def status_counts() -> dict[str, int]:
    """Items per status (the queue's tabs), each counted up to COUNT_CAP so the cost stays bounded."""
    parts = [
        sa.select(sa.literal(s.value).label("status"), sa.func.count().label("n")).select_from(
            sa.select(ModerationItem.id).where(ModerationItem.status == s).limit(COUNT_CAP).subquery()
        )
        for s in ItemStatus
    ]
    return {status: n for status, n in db.session.execute(sa.union_all(*parts))}


def neighbours(item: ModerationItem) -> tuple[int | None, int | None]:
    """The pending items just above and below this one in priority order (for j/k on the item page)."""
    key = sa.tuple_(ModerationItem.priority, ModerationItem.id)
    here = sa.tuple_(sa.literal(item.priority, sa.Float), sa.literal(item.id))
    pending = sa.select(ModerationItem.id).where(ModerationItem.status == ItemStatus.PENDING)
    prev_id = db.session.scalar(
        pending.where(key > here).order_by(ModerationItem.priority.asc(), ModerationItem.id.asc()).limit(1)
    )
    next_id = db.session.scalar(
        pending.where(key < here).order_by(ModerationItem.priority.desc(), ModerationItem.id.desc()).limit(1)
    )
    return prev_id, next_id


def context_of(item: ModerationItem) -> dict:
    """The content in context: the discussion and neighbouring replies around a flagged reply."""
    if item.target_type == TargetType.REPLY:
        reply = db.session.get(Reply, item.target_id)
        if reply is None:
            return {}
        around = list(db.session.scalars(
            sa.select(Reply).options(joinedload(Reply.author))
            .where(Reply.discussion_id == reply.discussion_id, Reply.id.between(reply.id - 50, reply.id + 50))
            .order_by(Reply.id)
        ))  # fmt: skip
        i = next((n for n, r in enumerate(around) if r.id == reply.id), 0)
        return {"discussion": reply.discussion, "replies": around[max(i - 3, 0) : i + 4], "focus_id": reply.id}
    if item.target_type == TargetType.DISCUSSION:
        d = db.session.get(Discussion, item.target_id)
        if d is None:
            return {}
        first = list(db.session.scalars(
            sa.select(Reply).options(joinedload(Reply.author)).where(Reply.discussion_id == d.id).order_by(Reply.id)
            .limit(5)
        ))  # fmt: skip
        return {"discussion": d, "replies": first, "focus_id": None}
    return {}


def revisions_of(item: ModerationItem) -> list[PostRevision]:
    """The edit history of a flagged post, newest first."""
    if item.target_type not in (TargetType.DISCUSSION, TargetType.REPLY):
        return []
    return list(db.session.scalars(
        sa.select(PostRevision)
        .where(PostRevision.target_type == item.target_type.value, PostRevision.target_id == item.target_id)
        .order_by(PostRevision.created_at.desc())
    ))  # fmt: skip


def author_history(item: ModerationItem) -> dict:
    """The author's previous actions against them and their other open items."""
    if item.author_id is None:
        return {"actions": [], "open_items": [], "flags_received": 0}
    actions = list(db.session.scalars(
        sa.select(ModerationAction).options(joinedload(ModerationAction.actor))
        .where(ModerationAction.target_user_id == item.author_id).order_by(ModerationAction.created_at.desc()).limit(20)
    ))  # fmt: skip
    open_items = list(db.session.scalars(
        sa.select(ModerationItem)
        .where(ModerationItem.author_id == item.author_id, ModerationItem.status == ItemStatus.PENDING,
               ModerationItem.id != item.id)
        .order_by(ModerationItem.priority.desc()).limit(20)
    ))  # fmt: skip
    flags_received = db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(ModerationItem.flag_count), 0)).where(
            ModerationItem.author_id == item.author_id
        )
    )
    return {"actions": actions, "open_items": open_items, "flags_received": flags_received}


def item_json(item: ModerationItem, reasons: dict[str, int] | None = None) -> dict:
    """An item as the API shows it."""
    return {
        "id": item.id,
        "target_type": item.target_type.value,
        "target_id": item.target_id,
        "author_id": item.author_id,
        "group_id": item.group_id,
        "status": item.status.value,
        "priority": item.priority,
        "flag_count": item.flag_count,
        "top_reason": item.top_reason.value if item.top_reason else None,
        "reasons": reasons or {},
        "is_hidden": item.is_hidden,
        "first_flagged_at": item.first_flagged_at.isoformat(),
        "claimed_by": item.claimed_by_id if item.claim_expires_at and item.claim_expires_at > utcnow() else None,
        "version": item.version,
    }


def inbox_keys() -> QueueKeys:
    """The inbox's part: pending items (counted as the queue's tab counts them), by first flag."""
    pending = ModerationItem.status == ItemStatus.PENDING
    return QueueKeys(
        sa.select(ModerationItem.id.label("id"), ModerationItem.first_flagged_at.label("since")).where(pending),
        sa.select(sa.func.count())
        .select_from(sa.select(ModerationItem.id).where(pending).limit(COUNT_CAP).subquery())
        .scalar_subquery(),
    )


@functools.cache
def _inbox_rows() -> sa.Select:
    """The shown items with their author and claim holder, as plain rows (built once, for :ids)."""
    from app.accounts.models import User

    author, holder = aliased(User), aliased(User)
    return (
        sa.select(
            ModerationItem.id, ModerationItem.target_type, ModerationItem.target_id, ModerationItem.top_reason,
            ModerationItem.flag_count, ModerationItem.first_flagged_at, ModerationItem.claim_expires_at,
            *person_columns(author, "author"), *person_columns(holder, "holder"),
        )
        .outerjoin(author, author.id == ModerationItem.author_id)
        .outerjoin(holder, holder.id == ModerationItem.claimed_by_id)
        .where(ModerationItem.id.in_(sa.bindparam("ids", expanding=True)))
    )  # fmt: skip


def inbox_load(ids: list[int]) -> dict[int, InboxItem]:
    """The shown items as inbox items with their people and excerpts, read as plain rows (100 ORM
    objects and their users cost several times the CPU), in two statements, one more per other
    target type shown."""
    rows = db.session.execute(_inbox_rows(), {"ids": ids}).all()
    texts, now = excerpts(rows), utcnow()
    return {
        i.id: InboxItem(
            "moderation",
            f"Flagged {i.target_type.value} #{i.target_id}",
            f"{i.top_reason or 'flag'} ×{i.flag_count} · “{(texts.get(i.id) or '')[:100]}”",
            url_for("moderation_staff.item", item_id=i.id),
            i.first_flagged_at,
            holder=person_of(i, "holder") if i.claim_expires_at and i.claim_expires_at > now else None,
            person=person_of(i, "author"),
        )
        for i in rows
    }
