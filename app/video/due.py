"""Which sessions are due for an outcome: their room closed within the last VIDEO_DECIDE_HORIZON_HOURS
and they start at or after video outcomes started on this database (the `outcomes` row of
video_rollouts, recorded by its migration), or, when VIDEO_DECIDE_SINCE is set, they ended after it.

Without the recorded start a deploy that forgot VIDEO_DECIDE_SINCE decided the last 48 hours of
sessions, held before any attendance was recorded, as double no-shows and mailed both parties.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from app.booking.models import KEPT_BOOKING_STATUSES, Booking
from app.extensions import db
from app.video.models import SessionOutcome, VideoRollout

log = logging.getLogger(__name__)


def decide_since(raw: str | None = None) -> datetime | None:
    """VIDEO_DECIDE_SINCE (or `raw`) as an aware UTC time (a naive value is UTC), or None when unset."""
    raw = (current_app.config.get("VIDEO_DECIDE_SINCE") if raw is None else raw or "").strip()
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ValueError(f"VIDEO_DECIDE_SINCE is not an ISO date-time: {raw!r}") from exc
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def outcomes_started() -> datetime | None:
    """When video outcomes started on this database (as its migration recorded it), or None without the row."""
    return db.session.scalar(sa.select(VideoRollout.started_at).where(VideoRollout.name == "outcomes"))


@dataclass(frozen=True)
class DueWindow:
    """The sessions due: ended in (ends_after, ends_until] and, unless starts_from is None, starting
    at or after it."""

    ends_after: datetime
    ends_until: datetime
    starts_from: datetime | None

    def holds(self, booking: Booking) -> bool:
        """Whether the booking is one of them (its status aside)."""
        if self.starts_from is not None and booking.starts_at < self.starts_from:
            return False
        return self.ends_after < booking.ends_at <= self.ends_until

    def conditions(self) -> list:
        """The same, as SQL conditions on Booking."""
        found = [Booking.ends_at > self.ends_after, Booking.ends_at <= self.ends_until]
        if self.starts_from is not None:
            found.append(Booking.starts_at >= self.starts_from)
        return found


def due_window(now: datetime) -> DueWindow | None:
    """The sessions due at `now`; None (none is) when outcomes have no recorded start and
    VIDEO_DECIDE_SINCE is unset."""
    config = current_app.config
    after = timedelta(minutes=config["VIDEO_JOIN_AFTER_MINUTES"])
    horizon = now - after - timedelta(hours=config["VIDEO_DECIDE_HORIZON_HOURS"])
    since = decide_since()
    if since is not None:  # the operator's date replaces the recorded start
        return DueWindow(max(horizon, since), now - after, None)
    started = outcomes_started()
    if started is None:
        log.warning("video outcomes have no recorded start (video_rollouts 'outcomes'): no session is decided")
        return None
    return DueWindow(horizon, now - after, started)


def due_booking_ids(now: datetime) -> list[int]:
    """Confirmed or completed bookings due at `now` that have no outcome yet."""
    window = due_window(now)
    if window is None:
        return []
    stmt = (
        sa.select(Booking.id)
        .where(
            Booking.status.in_(KEPT_BOOKING_STATUSES),
            *window.conditions(),
            ~sa.exists().where(SessionOutcome.booking_id == Booking.id),
        )
        .order_by(Booking.ends_at, Booking.id)
    )
    return list(db.session.scalars(stmt))
