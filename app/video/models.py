"""Attendance of a booking's video session: merged intervals per participant, provider and kind."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import UTCDateTime, enum_column
from app.extensions import db


class IntervalKind(enum.StrEnum):
    """Presence in the room, or (P2P only) media flowing both ways as that participant's page saw it."""

    PRESENT = "present"
    MEDIA = "media"


class AttendanceInterval(db.Model):
    """[started_at, ended_at] during which `user` was in the booking's room (or media flowed).

    Rows of one (booking, user, provider, kind) never overlap: each join, leave and heartbeat is
    merged into them (app.video.attendance). `is_open`: no leave seen yet; a P2P interval then ends
    at its last heartbeat, a provider's at the room's close. `is_start_known` is false for an
    interval made by a leave whose join has not arrived yet (webhooks come out of order).
    """

    __tablename__ = "attendance_intervals"
    __table_args__ = (
        sa.Index("ix_attendance_intervals_booking_user", "booking_id", "user_id"),
        sa.CheckConstraint("ended_at >= started_at", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(sa.ForeignKey("bookings.id", ondelete="CASCADE"), nullable=False)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False)
    role: Mapped[str] = mapped_column(sa.String(8), nullable=False)  # client | coach
    provider: Mapped[str] = mapped_column(sa.String(16), nullable=False)  # p2p | daily | jitsi
    kind: Mapped[IntervalKind] = mapped_column(enum_column(IntervalKind), nullable=False)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    ended_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    is_open: Mapped[bool] = mapped_column(default=True, nullable=False)
    is_start_known: Mapped[bool] = mapped_column(default=True, nullable=False)

    booking = relationship("Booking")
    user = relationship("User")

    @property
    def seconds(self) -> float:
        """Length as recorded (an open P2P interval: up to its last heartbeat)."""
        return (self.ended_at - self.started_at).total_seconds()
