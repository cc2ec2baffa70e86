"""Flags, the reviewable items that gather them, claims and moderators' decisions on items."""

from __future__ import annotations

import logging

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.accounts.models import User
from app.core import audit, duties
from app.core.claims import RELEASED, claim_values, claimable_by
from app.core.db import utcnow
from app.core.effects import commit, rollback
from app.core.errors import Conflict, InvalidState, NotFound, ServiceError, ValidationFailed
from app.core.ids import fits
from app.core.inserts import dialect_insert
from app.extensions import db
from app.moderation import notify, rules
from app.moderation.models import (
    ActionKind,
    Flag,
    FlagReason,
    FlagStatus,
    ItemStatus,
    ModerationAction,
    ModerationItem,
    TargetType,
)
from app.moderation.reputation import accuracies, author_strikes, in_good_standing
from app.moderation.sanctions import AUTHOR_ACTIONS, record_sanction, require_moderator
from app.moderation.signals import flag_decided
from app.moderation.targets import Target, edit_out, hide, load_target, show, target_of

log = logging.getLogger(__name__)

ITEM_ACTIONS = {
    ActionKind.KEEP: ItemStatus.KEPT,
    ActionKind.HIDE: ItemStatus.HIDDEN,
    ActionKind.REMOVE: ItemStatus.REMOVED,
    ActionKind.EDIT: ItemStatus.EDITED,
}
USER_REASONS = [r for r in FlagReason if r != FlagReason.WATCHED_WORD]


def _refuse_own(actor: User, item: ModerationItem, attempted: str) -> None:
    """Nobody moderates their own content or an item they flagged (admins included); audited."""
    if item.is_written_by(actor):
        raise duties.refuse(actor, attempted, item, "This is your own content: another moderator must decide it.")
    if item.was_flagged_by(actor):
        raise duties.refuse(actor, attempted, item, "You flagged this item: another moderator must decide it.")


def _item_for(target: Target) -> ModerationItem:
    """The target's reviewable item, created if needed, locked for this transaction."""
    now = utcnow()
    values = dict(
        target_type=target.type,
        target_id=target.id,
        author_id=target.author_id,
        group_id=target.group_id,
        status=ItemStatus.PENDING,
        priority=0.0,
        flag_count=0,
        is_hidden=False,
        first_flagged_at=now,
        last_flagged_at=now,
        created_at=now,
        updated_at=now,
        version=1,
    )
    db.session.execute(
        dialect_insert(ModerationItem)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["target_type", "target_id"])
    )
    stmt = (
        sa.select(ModerationItem)
        .where(ModerationItem.target_type == target.type, ModerationItem.target_id == target.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return db.session.scalars(stmt).one()


def _refresh_item(item: ModerationItem) -> None:
    """Recount flags, the most common open reason and the priority after a new flag."""
    open_flags = [f for f in item.flags if f.status == FlagStatus.OPEN]
    item.flag_count = len(item.flags)
    reasons: dict[FlagReason, int] = {}
    for f in open_flags:
        reasons[f.reason] = reasons.get(f.reason, 0) + 1
    item.top_reason = max(reasons, key=reasons.get) if reasons else item.top_reason
    acc = accuracies([f.reporter_id for f in open_flags if f.reporter_id])
    weight = sum(1.0 if f.reporter_id is None else 0.5 + acc[f.reporter_id] for f in open_flags)
    strikes = author_strikes(item.author_id) if item.author_id else 0
    item.priority = round(weight * (1 + 0.25 * min(strikes, 8)), 3)
    item.last_flagged_at = utcnow()


def _reopen(item: ModerationItem) -> None:
    if item.status == ItemStatus.REMOVED:
        raise InvalidState("This content has already been removed.")
    if item.status != ItemStatus.PENDING:
        item.transition_to(ItemStatus.PENDING)
        item.decided_at = None
        item.decided_by_id = None


def raise_system_flag(post, note: str) -> Flag:
    """A watched-word flag on a post held for review; flushes only (the caller commits)."""
    target = target_of(post)
    item = _item_for(target)
    _reopen(item)
    flag = Flag(item=item, reporter_id=None, target_type=target.type, target_id=target.id,
                reason=FlagReason.WATCHED_WORD, note=note)  # fmt: skip
    db.session.add(flag)
    item.is_hidden = True
    db.session.flush()
    _refresh_item(item)
    return flag


def flag_target(actor: User, target_type: str, target_id: int, reason: str, note: str = "") -> Flag:
    """A user reports a discussion, reply, profile or message; may hide it at once (auto-hide)."""
    try:
        ttype = TargetType(target_type)
        why = FlagReason(reason)
    except ValueError as exc:
        raise ValidationFailed("Choose what to flag and why.", fields={"reason": "Unknown value."}) from exc
    if why == FlagReason.WATCHED_WORD:
        raise ValidationFailed("Choose a reason.", fields={"reason": "Not a reason users can give."})
    note = (note or "").strip()[:2000]
    if why == FlagReason.OTHER and not note:
        raise ValidationFailed("Tell the moderators what is wrong.", fields={"note": "Required for 'other'."})
    target = load_target(ttype, int(target_id))
    from app.moderation.targets import can_flag_see

    if not can_flag_see(actor, target):
        raise NotFound(f"No such {ttype.value}.")
    if target.author_id == actor.id:
        raise InvalidState("You cannot flag your own content.")
    duplicate = db.session.scalar(
        sa.select(Flag.id).where(Flag.reporter_id == actor.id, Flag.target_type == ttype,
                                 Flag.target_id == target.id, Flag.status == FlagStatus.OPEN)
    )  # fmt: skip
    if duplicate is not None:
        raise Conflict("You have already flagged this; the moderators will review it.", code="already_flagged")
    item = _item_for(target)
    _reopen(item)
    flag = Flag(item=item, reporter_id=actor.id, target_type=ttype, target_id=target.id, reason=why, note=note)
    db.session.add(flag)
    try:
        db.session.flush()
    except IntegrityError as exc:
        rollback()
        raise Conflict("You have already flagged this; the moderators will review it.", code="already_flagged") from exc
    _refresh_item(item)
    audit.record(actor, "moderation.flagged", item, None, {"flag_id": flag.id, "reason": why.value})
    _maybe_auto_hide(item, target)
    commit()
    return flag


def _maybe_auto_hide(item: ModerationItem, target: Target) -> None:
    """Hide at once when open flags from users in good standing reach the threshold."""
    if item.is_hidden or item.status != ItemStatus.PENDING:
        return
    threshold = int(rules.get_setting(rules.AUTO_HIDE_THRESHOLD))
    reporters = {f.reporter_id for f in item.flags if f.status == FlagStatus.OPEN and f.reporter_id}
    good = in_good_standing(reporters)
    if len(good) < threshold:
        return
    hide(target)
    item.is_hidden = True
    db.session.add(ModerationAction(item_id=item.id, actor_id=None, target_user_id=item.author_id,
                                    kind=ActionKind.AUTO_HIDE, reason=f"{len(good)} flags"))  # fmt: skip
    audit.record(None, "moderation.auto_hidden", item, {"is_hidden": False}, {"is_hidden": True})
    author = db.session.get(User, item.author_id) if item.author_id else None
    if author is not None:
        notify.auto_hidden(author, target)


def _conditional_update(item: ModerationItem, actor: User, where, values: dict) -> int:
    """UPDATE the item only while `where` holds; the row lock makes concurrent callers serialise."""
    stmt = (
        sa.update(ModerationItem)
        .where(ModerationItem.id == item.id, *where)
        .values(**values, version=ModerationItem.version + 1, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return db.session.execute(stmt).rowcount


def _explain_refusal(item: ModerationItem) -> ServiceError:
    rollback()
    db.session.refresh(item)
    if item.status != ItemStatus.PENDING:
        who = db.session.get(User, item.decided_by_id) if item.decided_by_id else None
        by = f" by {who.full_name}" if who else ""
        return Conflict(f"This item was already decided ({item.status.value}){by}.", code="already_decided")
    holder = item.claimed_by.full_name if item.claimed_by else "another moderator"
    return Conflict(f"{holder} is working on this item (claimed until {rules.format_until(item.claim_expires_at)}).",
                    code="claimed")  # fmt: skip


def claim_item(actor: User, item: ModerationItem) -> ModerationItem:
    """Take the item for CLAIM_MINUTES; refused while another moderator holds it."""
    require_moderator(actor)
    _refuse_own(actor, item, "moderation.claim")
    now = utcnow()
    free = claimable_by(ModerationItem, actor, now)
    if not _conditional_update(
        item, actor, [ModerationItem.status == ItemStatus.PENDING, free], claim_values(actor, now)
    ):
        raise _explain_refusal(item)
    db.session.refresh(item)
    audit.record(actor, "moderation.claimed", item, None, {"claim_expires_at": item.claim_expires_at.isoformat()})
    commit()
    return item


def release_item(actor: User, item: ModerationItem) -> ModerationItem:
    """Give the item back to the queue."""
    require_moderator(actor)
    if not _conditional_update(item, actor, [ModerationItem.claimed_by_id == actor.id], RELEASED):
        rollback()
        raise InvalidState("You do not hold this item.")
    db.session.refresh(item)
    audit.record(actor, "moderation.released", item)
    commit()
    return item


def decide(
    actor: User,
    item: ModerationItem,
    action: str,
    reason: str = "",
    *,
    author_action: str | None = None,
    suspend_days: int | None = None,
    edited_body: str | None = None,
) -> ModerationAction:
    """Decide a pending item: keep, hide, remove or edit it (warn/suspend/ban also hide it).

    Exactly one decision wins: the status change is a conditional UPDATE on a pending item not
    held by someone else. Flags become upheld or dismissed; author and reporters are mailed.
    """
    require_moderator(actor)
    try:
        kind = ActionKind(action)
        sanction = ActionKind(author_action) if author_action else None
    except ValueError as exc:
        raise ValidationFailed("Unknown action.", fields={"action": "Unknown action."}) from exc
    if kind in AUTHOR_ACTIONS:
        kind, sanction = ActionKind.HIDE, kind
    if kind not in ITEM_ACTIONS or (sanction is not None and sanction not in AUTHOR_ACTIONS):
        raise ValidationFailed("Unknown action.", fields={"action": "Unknown action."})
    reason = (reason or "").strip()
    if kind != ActionKind.KEEP and not reason:
        raise ValidationFailed("Give a reason; it is sent to the author.", fields={"reason": "Required."})
    if sanction == ActionKind.SUSPEND and not (suspend_days and 1 <= int(suspend_days) <= 365):
        raise ValidationFailed("Suspend for 1 to 365 days.", fields={"suspend_days": "1 to 365 days."})
    _refuse_own(actor, item, f"moderation.{kind.value}")
    new_status = ITEM_ACTIONS[kind]
    now = utcnow()
    before = {"status": item.status.value, "is_hidden": item.is_hidden}
    won = _conditional_update(
        item,
        actor,
        [ModerationItem.status == ItemStatus.PENDING, claimable_by(ModerationItem, actor, now)],
        dict(status=new_status, decided_at=now, decided_by_id=actor.id, **RELEASED),
    )
    if not won:
        raise _explain_refusal(item)
    db.session.refresh(item)
    target = load_target(item.target_type, item.target_id)
    if kind == ActionKind.KEEP:
        if item.is_hidden:
            show(target)
        item.is_hidden = False
    elif kind == ActionKind.EDIT:
        edit_out(target, edited_body or "", actor, reason)
        if item.is_hidden:
            show(target)
        item.is_hidden = False
    else:
        hide(target, remove=kind == ActionKind.REMOVE)
        item.is_hidden = True
    upheld = kind != ActionKind.KEEP
    reporters = []
    for f in item.flags:
        if f.status == FlagStatus.OPEN:
            f.status = FlagStatus.UPHELD if upheld else FlagStatus.DISMISSED
            f.resolved_at = now
            if f.reporter is not None:
                reporters.append(f.reporter)
    action_row = ModerationAction(item_id=item.id, actor_id=actor.id, target_user_id=item.author_id, kind=kind,
                                  reason=reason)  # fmt: skip
    db.session.add(action_row)
    audit.record(actor, f"moderation.{kind.value}", item, before,
                 {"status": new_status.value, "is_hidden": item.is_hidden, "reason": reason})  # fmt: skip
    author = db.session.get(User, item.author_id) if item.author_id else None
    if author is not None and kind != ActionKind.KEEP:
        notify.decision(author, target, kind, reason)
    for reporter in {r.id: r for r in reporters}.values():
        notify.flag_result(reporter, target, upheld)
        flag_decided.send(reporter, upheld=upheld)
    if sanction is not None and author is not None:
        record_sanction(actor, author, sanction, reason, suspend_days, item)
    commit()
    return action_row


def bulk_decide(actor: User, item_ids: list[int], action: str, reason: str = "", **options) -> dict:
    """Apply one decision to many items, each in its own transaction; reports what failed and why."""
    done, failed = [], {}
    for item_id in item_ids:
        item = db.session.get(ModerationItem, item_id) if fits(item_id) else None
        if item is None:
            failed[item_id] = "No such item."
            continue
        try:
            decide(actor, item, action, reason, **options)
            done.append(item_id)
        except ServiceError as exc:
            rollback()
            failed[item_id] = exc.message
    return {"done": done, "failed": failed}
