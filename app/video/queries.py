"""Reads for staff's video queue: its rows and its part of the console's inbox."""

from __future__ import annotations

import sqlalchemy as sa
from flask import url_for
from sqlalchemy.orm import joinedload

from app.booking.models import Booking
from app.extensions import db
from app.staff.inbox import InboxItem, QueueRead, capped_count, named
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


def inbox_read(limit: int) -> QueueRead:
    """The inbox's part (finance, admins): sessions awaiting a decision, oldest first."""
    from app.video.forms import OUTCOME_LABELS

    count = db.session.scalar(sa.select(capped_count(sa.select(SessionOutcome.id).where(AWAITING))))
    rows = db.session.scalars(
        sa.select(SessionOutcome)
        .where(AWAITING)
        .options(joinedload(SessionOutcome.booking).options(named(Booking.client)))
        .order_by(SINCE, SessionOutcome.id)
        .limit(limit)
    )
    items = [
        InboxItem(
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
    ]
    return QueueRead(count, items[0].since if items else None, items)
