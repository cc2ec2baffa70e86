"""Session types, weekly availability, dated exceptions and bookings with their status machine."""

from __future__ import annotations

import enum
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import StatusMachine, TimestampMixin, UTCDateTime, enum_column
from app.core.errors import InvalidState
from app.extensions import db


class SessionType(db.Model):
    """What a coach sells: a named session of a fixed length and price."""

    __tablename__ = "session_types"

    id: Mapped[int] = mapped_column(primary_key=True)
    coach_id: Mapped[int] = mapped_column(sa.ForeignKey("coach_profiles.id"), index=True, nullable=False)
    name: Mapped[str] = mapped_column(sa.String(80), nullable=False)
    duration_minutes: Mapped[int] = mapped_column(nullable=False)
    price_amount: Mapped[int] = mapped_column(sa.BigInteger, nullable=False)
    currency: Mapped[str] = mapped_column(sa.String(3), nullable=False)
    is_active: Mapped[bool] = mapped_column(default=True, nullable=False)


class AvailabilityRule(db.Model):
    """Weekly working hours in the coach's own time zone (weekday 0 = Monday)."""

    __tablename__ = "availability_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    coach_id: Mapped[int] = mapped_column(sa.ForeignKey("coach_profiles.id"), index=True, nullable=False)
    weekday: Mapped[int] = mapped_column(sa.SmallInteger, nullable=False)
    start_time: Mapped[time] = mapped_column(sa.Time, nullable=False)
    end_time: Mapped[time] = mapped_column(sa.Time, nullable=False)


class ExceptionKind(enum.StrEnum):
    """A dated change to the weekly hours."""

    TIME_OFF = "time_off"
    EXTRA_HOURS = "extra_hours"


class AvailabilityException(db.Model):
    """Time off or extra hours on one date, in the coach's time zone."""

    __tablename__ = "availability_exceptions"
    __table_args__ = (sa.Index("ix_availability_exceptions_coach_date", "coach_id", "on_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    coach_id: Mapped[int] = mapped_column(sa.ForeignKey("coach_profiles.id"), nullable=False)
    on_date: Mapped[date] = mapped_column(sa.Date, nullable=False)
    kind: Mapped[ExceptionKind] = mapped_column(enum_column(ExceptionKind), nullable=False)
    start_time: Mapped[time | None] = mapped_column(sa.Time)  # None with TIME_OFF: the whole day
    end_time: Mapped[time | None] = mapped_column(sa.Time)


class BookingStatus(enum.StrEnum):
    """A booking's life; see BOOKING_TRANSITIONS."""

    HELD = "held"  # slot held while payment is pending
    CONFIRMED = "confirmed"  # paid
    CANCELLED = "cancelled"
    EXPIRED = "expired"  # the hold ran out unpaid
    COMPLETED = "completed"


BOOKING_TRANSITIONS: dict[BookingStatus, frozenset[BookingStatus]] = {
    BookingStatus.HELD: frozenset({BookingStatus.CONFIRMED, BookingStatus.EXPIRED, BookingStatus.CANCELLED}),
    BookingStatus.CONFIRMED: frozenset({BookingStatus.CANCELLED, BookingStatus.COMPLETED}),
    BookingStatus.CANCELLED: frozenset(),
    # A payment that succeeds after the hold ran out still confirms while the slot is free.
    BookingStatus.EXPIRED: frozenset({BookingStatus.CONFIRMED}),
    BookingStatus.COMPLETED: frozenset(),
}

ACTIVE_BOOKING_STATUSES = (BookingStatus.HELD, BookingStatus.CONFIRMED)
# Paid and kept: the session has a calendar file and a conversation.
KEPT_BOOKING_STATUSES = (BookingStatus.CONFIRMED, BookingStatus.COMPLETED)

# A client's cancellation is refunded in full up to this many hours before the start.
FULL_REFUND_HOURS = 24


class Booking(StatusMachine, TimestampMixin, db.Model):
    """A client's session with a coach; amount copied from the session type when booked."""

    TRANSITIONS = BOOKING_TRANSITIONS
    NOUN = "booking"
    __tablename__ = "bookings"
    __table_args__ = (
        sa.Index("ix_bookings_coach_starts", "coach_id", "starts_at"),
        sa.Index("ix_bookings_client_starts", "client_id", "starts_at"),
        sa.Index("ix_bookings_status_created", "status", "created_at"),
        sa.Index("ix_bookings_created", "created_at"),
        # Sessions that ended in a time range: `flask video decide-due` and complete-past, every minute.
        sa.Index("ix_bookings_ends_at", "ends_at"),
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        # No double booking and the coach's buffer after each session: on PostgreSQL a
        # hand-written exclusion constraint (bookings_no_overlap: same coach, overlapping
        # [starts_at, ends_at + buffer_minutes), held or confirmed; revision
        # 20261203_1400_buffer_in_overlap); this partial unique index is the portable fallback
        # (SQLite) for the same start time.
        sa.Index(
            "uq_bookings_active_coach_start",
            "coach_id",
            "starts_at",
            unique=True,
            sqlite_where=sa.text("status IN ('held', 'confirmed')"),
            postgresql_where=sa.text("status IN ('held', 'confirmed')"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False)
    coach_id: Mapped[int] = mapped_column(sa.ForeignKey("coach_profiles.id"), nullable=False)
    session_type_id: Mapped[int] = mapped_column(sa.ForeignKey("session_types.id"), nullable=False)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    status: Mapped[BookingStatus] = mapped_column(
        enum_column(BookingStatus), default=BookingStatus.HELD, nullable=False
    )
    hold_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    amount: Mapped[int] = mapped_column(sa.BigInteger, nullable=False)
    currency: Mapped[str] = mapped_column(sa.String(3), nullable=False)
    # The coach's buffer when booked or last moved: the database keeps it free after the session.
    buffer_minutes: Mapped[int] = mapped_column(default=0, server_default="0", nullable=False)
    notes: Mapped[str] = mapped_column(sa.Text, default="", nullable=False)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    cancel_reason: Mapped[str | None] = mapped_column(sa.Text)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminder_job_id: Mapped[str | None] = mapped_column(sa.String(64))
    # The .ics SEQUENCE: 0 when booked, +1 on each reschedule or cancellation (RFC 5545 3.8.7.4).
    ics_sequence: Mapped[int] = mapped_column(default=0, server_default="0", nullable=False)
    # Set when the client moves a booking that was already inside the full-refund window: the
    # deadline that had passed stays, so a reschedule cannot buy back a refund (issue 16, 8).
    # None: FULL_REFUND_HOURS before the current start.
    full_refund_until: Mapped[datetime | None] = mapped_column(UTCDateTime)

    client = relationship("User", foreign_keys=[client_id])
    coach = relationship("CoachProfile")
    session_type = relationship("SessionType")

    def full_refund_deadline(self) -> datetime:
        """Until when a client's cancellation is refunded in full."""
        return self.full_refund_until or self.starts_at - timedelta(hours=FULL_REFUND_HOURS)

    def keep_refund_deadline_on_move(self, party: str, now: datetime) -> None:
        """Before a move: a client moving a booking past its refund deadline keeps that deadline;
        a coach's move starts afresh from the new time."""
        if party == "coach":
            self.full_refund_until = None
        elif now > self.full_refund_deadline():
            self.full_refund_until = self.full_refund_deadline()

    def party_of(self, user) -> str | None:
        """'client' or 'coach' when `user` is a side of the booking, else None."""
        user_id = getattr(user, "id", None)
        if user_id is not None and user_id == self.client_id:
            return "client"
        if user_id is not None and user_id == self.coach.user_id:
            return "coach"
        return None

    @property
    def is_kept(self) -> bool:
        """Confirmed or completed: paid and not cancelled."""
        return self.status in KEPT_BOOKING_STATUSES

    def is_ahead(self, now: datetime) -> bool:
        """Held or confirmed and not yet begun."""
        return self.status in ACTIVE_BOOKING_STATUSES and self.starts_at > now

    def is_inside_notice(self, now: datetime) -> bool:
        """Closer to the start than the coach's client notice: only the coach may change it, with a reason."""
        return self.starts_at - now < timedelta(hours=self.coach.client_cancel_notice_hours)

    def change_refusal(self, user, now: datetime) -> InvalidState | None:
        """Why `user`, a side of the booking, may not move or cancel it now; None when they may."""
        if self.status not in ACTIVE_BOOKING_STATUSES:
            return InvalidState(f"This booking is {self.status.value} and can no longer change.")
        if self.starts_at <= now:
            return InvalidState("This session has already started.")
        if self.party_of(user) == "client" and self.is_inside_notice(now):
            return InvalidState(
                f"Changes need {self.coach.client_cancel_notice_hours} hours' notice; please contact your coach.",
                code="too_late",
            )
        return None

    def can_be_rescheduled_by(self, user, now: datetime) -> bool:
        """Whether `user` may move the booking now (a coach inside the client notice gives a reason)."""
        return self.party_of(user) is not None and self.change_refusal(user, now) is None

    def can_be_cancelled_by(self, user, now: datetime) -> bool:
        """Whether `user` may cancel the booking now (a coach always gives a reason)."""
        return self.party_of(user) is not None and self.change_refusal(user, now) is None

    def is_hold_expired(self, now: datetime) -> bool:
        """Held, and its hold ran out (expire_holds has not ended it yet)."""
        return self.status == BookingStatus.HELD and self.hold_expires_at is not None and self.hold_expires_at <= now

    def payment_refusal(self, now: datetime) -> InvalidState | None:
        """Why the booking cannot be paid now; None while it is held and its hold runs."""
        if self.status != BookingStatus.HELD:
            return InvalidState(f"This booking is {self.status.value}, not awaiting payment.")
        if self.is_hold_expired(now):
            return InvalidState("The hold on this slot has expired; please book the session again.")
        return None

    def can_be_paid_by(self, user, now: datetime) -> bool:
        """The client pays a held booking while its hold runs."""
        return self.party_of(user) == "client" and self.payment_refusal(now) is None

    def can_be_reviewed_by(self, user) -> bool:
        """The client reviews a session once it has taken place (once: the review table says if they did)."""
        return self.party_of(user) == "client" and self.status == BookingStatus.COMPLETED
