"""A booking's video session: attendance (merged intervals per participant, provider and kind) and its outcome."""

from __future__ import annotations

import enum
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import StatusMachine, TimestampMixin, UTCDateTime, enum_column
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


class Outcome(enum.StrEnum):
    """What a session came to, decided from the attendance once its room closed."""

    COMPLETED = "completed"  # both present at least a minute, media flowed at least a minute
    CLIENT_NO_SHOW = "client_no_show"
    COACH_NO_SHOW = "coach_no_show"
    BOTH_NO_SHOW = "both_no_show"
    TECHNICAL_FAILURE = "technical_failure"  # both joined, media never flowed a minute


class OutcomeStatus(enum.StrEnum):
    """final: its effect ran (or none was due); awaiting_staff: a person decides; contested: a party
    disputes a final outcome and a person decides; resolved: they did."""

    FINAL = "final"
    AWAITING_STAFF = "awaiting_staff"
    CONTESTED = "contested"
    RESOLVED = "resolved"


OUTCOME_TRANSITIONS: dict[OutcomeStatus, frozenset[OutcomeStatus]] = {
    OutcomeStatus.FINAL: frozenset({OutcomeStatus.CONTESTED}),
    OutcomeStatus.AWAITING_STAFF: frozenset({OutcomeStatus.RESOLVED}),
    OutcomeStatus.CONTESTED: frozenset({OutcomeStatus.RESOLVED}),
    OutcomeStatus.RESOLVED: frozenset(),
}
STAFF_STATUSES = (OutcomeStatus.AWAITING_STAFF, OutcomeStatus.CONTESTED)  # in staff's queue
CONTEST_WINDOW = timedelta(hours=48)  # after the decision, either party may contest a final outcome


class Resolution(enum.StrEnum):
    """Staff's decision on a session in their queue."""

    REFUND_CLIENT = "refund_client"  # in full
    NO_REFUND = "no_refund"  # the outcome stands as decided


class SessionOutcome(StatusMachine, TimestampMixin, db.Model):
    """One booking's outcome (one row per booking: the decision runs once), its measures and its effect."""

    TRANSITIONS = OUTCOME_TRANSITIONS
    __tablename__ = "session_outcomes"
    # Also ix_session_outcomes_waiting, written by hand in 20261206_2240_inbox_queues: the staff queue's
    # rows (awaiting staff or contested) by coalesce(contested_at, decided_at), id, as the inbox reads them.
    __table_args__ = (sa.Index("ix_session_outcomes_status_decided", "status", "decided_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(
        sa.ForeignKey("bookings.id", ondelete="CASCADE"), unique=True, nullable=False
    )
    outcome: Mapped[Outcome] = mapped_column(enum_column(Outcome), nullable=False)
    status: Mapped[OutcomeStatus] = mapped_column(enum_column(OutcomeStatus), nullable=False)
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    client_seconds: Mapped[int] = mapped_column(nullable=False)  # present, inside the join window
    coach_seconds: Mapped[int] = mapped_column(nullable=False)
    media_seconds: Mapped[int] = mapped_column(nullable=False)  # media flowing between them
    refund_id: Mapped[int | None] = mapped_column(sa.ForeignKey("refunds.id"))
    resolution: Mapped[Resolution | None] = mapped_column(enum_column(Resolution))
    resolution_note: Mapped[str | None] = mapped_column(sa.Text)
    resolved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    contested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    contested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    contest_reason: Mapped[str | None] = mapped_column(sa.Text)

    booking = relationship("Booking")
    refund = relationship("Refund")
    resolved_by = relationship("User", foreign_keys=[resolved_by_id])
    contested_by = relationship("User", foreign_keys=[contested_by_id])

    def contest_refusal(self, user, now: datetime) -> str | None:
        """Why `user` cannot contest this outcome now, or None when they can (the view, the service
        and the booking page ask)."""
        if getattr(user, "id", None) not in (self.booking.client_id, self.booking.coach.user_id):
            return "Only the booked client and coach can contest a session's outcome."
        if self.status != OutcomeStatus.FINAL:
            return "This outcome is already with our staff or decided by them."
        if now > self.decided_at + CONTEST_WINDOW:
            return "An outcome can be contested within 48 hours of its decision."
        return None

    def refused_transition(self, new: OutcomeStatus) -> str:
        """An outcome staff or time have settled does not change."""
        return f"This session's outcome is {self.status.value.replace('_', ' ')}; it cannot change."

    @property
    def refund_key(self) -> str | None:
        """The idempotency key of the refund this outcome owes the client, or None when it owes none."""
        if self.outcome == Outcome.COACH_NO_SHOW:
            return f"refund-booking-{self.booking_id}-coach-no-show"
        if self.resolution == Resolution.REFUND_CLIENT:
            return f"refund-booking-{self.booking_id}-{self.outcome.value.replace('_', '-')}"
        return None


class VideoRollout(db.Model):
    """When a part of video sessions started on this database, as its migration recorded it. `outcomes`:
    only sessions starting at or after it are decided (app.video.due), so sessions held elsewhere before
    attendance was recorded get no "nobody joined" mail."""

    __tablename__ = "video_rollouts"

    name: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
