"""Finance's side of the reconciliation (issue 16): the open and resolved differences, and
resolving one (how it was settled and why, by whom, audited).

A resolved item leaves the queue and stays in the history. "Our books corrected" and "Corrected
at Stripe" are claims the next run checks: if the two sides still differ, the difference is
listed again as a new item. "Accepted as is" is not listed again while both sides stay exactly as
they were when it was accepted.
"""

from __future__ import annotations

import sqlalchemy as sa

from app.core import audit
from app.core.db import utcnow
from app.core.effects import transaction
from app.core.errors import InvalidState, NotFound, PermissionDenied, ValidationFailed
from app.core.roles import FINANCE_ROLES
from app.extensions import db
from app.payments.bookkeeping import ReconciliationItem, ReconciliationResolution

NOTE_MAX = 2000
_OLDEST_FIRST = (ReconciliationItem.found_at, ReconciliationItem.id)


def resolve_item(actor, item_id: int, resolution: str, note: str) -> ReconciliationItem:
    """Mark an open difference resolved: how (a ReconciliationResolution) and why (a note)."""
    if actor is None or not actor.has_role(*FINANCE_ROLES):
        raise PermissionDenied("Only finance staff and admins resolve differences with Stripe.")
    try:
        how = ReconciliationResolution(resolution)
    except ValueError:
        raise ValidationFailed(
            "Choose how the difference was resolved.", fields={"resolution": "Choose one."}
        ) from None
    note = (note or "").strip()
    if not note:
        raise ValidationFailed("Say what was done or why.", fields={"note": "A note is required."})
    if len(note) > NOTE_MAX:
        raise ValidationFailed("The note is too long.", fields={"note": f"At most {NOTE_MAX} characters."})
    with transaction():
        item = db.session.get(ReconciliationItem, item_id, with_for_update=True, populate_existing=True)
        if item is None:
            raise NotFound("No such difference.")
        if not item.is_open:
            who = item.resolved_by.full_name if item.resolved_by else "someone"
            raise InvalidState(f"This difference was already resolved by {who}.", code="already_resolved")
        item.resolved_at, item.resolution, item.resolution_note, item.resolved_by_id = utcnow(), how, note, actor.id
        audit.record(
            actor,
            "reconciliation.resolved",
            item,
            before={"resolved_at": None},
            after={"kind": item.kind, "payment_id": item.payment_id, "resolution": how.value, "note": note},
        )
    return item


def accepted_alike(payment_id: int, kind: str, refund_id, provider_refund_id, ours: dict, theirs: dict) -> bool:
    """Whether finance accepted this very difference (same sides) already."""
    stmt = sa.select(ReconciliationItem).where(
        ReconciliationItem.payment_id == payment_id,
        ReconciliationItem.kind == kind,
        ReconciliationItem.resolution == ReconciliationResolution.ACCEPTED,
        ReconciliationItem.refund_id.is_(None) if refund_id is None else ReconciliationItem.refund_id == refund_id,
        ReconciliationItem.provider_refund_id.is_(None)
        if provider_refund_id is None
        else ReconciliationItem.provider_refund_id == provider_refund_id,
    )
    return any(i.ours == ours and i.theirs == theirs for i in db.session.scalars(stmt))


def open_items(limit: int = 200) -> list[ReconciliationItem]:
    """Open differences, oldest first (the finance page's first tab)."""
    stmt = sa.select(ReconciliationItem).where(ReconciliationItem.resolved_at.is_(None))
    return list(db.session.scalars(stmt.order_by(*_OLDEST_FIRST).limit(limit)))


def resolved_items(limit: int = 200) -> list[ReconciliationItem]:
    """Resolved differences, latest resolution first (the history tab)."""
    stmt = sa.select(ReconciliationItem).where(ReconciliationItem.resolved_at.is_not(None))
    return list(
        db.session.scalars(
            stmt.order_by(ReconciliationItem.resolved_at.desc(), ReconciliationItem.id.desc()).limit(limit)
        )
    )


def open_count() -> int:
    """How many differences are open."""
    stmt = sa.select(sa.func.count()).select_from(ReconciliationItem).where(ReconciliationItem.resolved_at.is_(None))
    return int(db.session.scalar(stmt))


def next_open(after: ReconciliationItem) -> int | None:
    """The open difference that follows `after` in the queue's order (else the first open one)."""
    base = sa.select(ReconciliationItem.id).where(
        ReconciliationItem.resolved_at.is_(None), ReconciliationItem.id != after.id
    )
    later = base.where(
        sa.or_(
            ReconciliationItem.found_at > after.found_at,
            sa.and_(ReconciliationItem.found_at == after.found_at, ReconciliationItem.id > after.id),
        )
    )
    first = db.session.scalar(later.order_by(*_OLDEST_FIRST).limit(1))
    return first or db.session.scalar(base.order_by(*_OLDEST_FIRST).limit(1))
