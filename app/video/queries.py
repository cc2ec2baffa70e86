"""Reads for staff's video queue: its rows and its part of the console's inbox."""

from __future__ import annotations

import sqlalchemy as sa
from flask import url_for
from sqlalchemy.orm import joinedload

from app.booking.models import Booking
from app.extensions import db
from app.staff.inbox import InboxItem, QueueKeys, named, waiting_keys
from app.video.models import STAFF_STATUSES, SessionOutcome

AWAITING = SessionOutcome.status.in_(STAFF_STATUSES)
SINCE = sa.func.coalesce(SessionOutcome.contested_at, SessionOutcome.decided_at)  # in the queue since


def queue_rows(decided: bool, limit: int) -> list[SessionOutcome]:
    """Sessions awaiting a decision or contested, longest waiting first; or (decided) the latest others."""
    if decided:
        stmt = sa.select(SessionOutcome).where(~AWAITING)
        stmt = stmt.order_by(SessionOutcome.decided_at.desc(), SessionOutcome.id.desc())
    else:
        stmt = sa.select(SessionOutcome).where(AWAITING).order_by(SINCE, SessionOutcome.id)
    return list(db.session.scalars(stmt.limit(limit)))


def inbox_keys() -> QueueKeys:
    """The inbox's part (finance, admins): sessions awaiting a decision, since decided or contested."""
    return waiting_keys(SessionOutcome.id, SINCE, AWAITING)


def inbox_load(ids: list[int]) -> dict[int, InboxItem]:
    """The shown sessions as inbox items, with the client."""
    from app.video.forms import OUTCOME_LABELS

    rows = db.session.scalars(
        sa.select(SessionOutcome)
        .where(SessionOutcome.id.in_(ids))
        .options(joinedload(SessionOutcome.booking).options(named(Booking.client)))
    )
    return {
        row.id: InboxItem(
            "video_sessions",
            f"Session #{row.booking_id}: {OUTCOME_LABELS[row.outcome].lower()}"
            + (" (contested)" if row.contested_at else ""),
            f"client {row.client_seconds // 60} min, coach {row.coach_seconds // 60} min, "
            f"connected {row.media_seconds // 60} min",
            url_for("video_staff.outcome", outcome_id=row.id),
            row.contested_at or row.decided_at,
            person=row.booking.client,
        )
        for row in rows
    }
