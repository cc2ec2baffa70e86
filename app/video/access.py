"""Who may join a booking's video session, and when: the one question the page, the API and the
booking page ask."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_login import current_user

from app.booking.models import KEPT_BOOKING_STATUSES, Booking
from app.coaches.models import CoachProfile
from app.core.db import utcnow
from app.extensions import db


@dataclass(frozen=True)
class JoinCheck:
    """The answer: allowed or not, the reason shown when not, and the window it is measured against."""

    allowed: bool
    reason: str
    opens_at: datetime
    closes_at: datetime
    is_early: bool = False  # refused only because the window has not opened yet


def join_window(booking: Booking) -> tuple[datetime, datetime]:
    """[opens, closes): VIDEO_JOIN_BEFORE_MINUTES before the start to VIDEO_JOIN_AFTER_MINUTES after the end."""
    config = current_app.config
    return (
        booking.starts_at - timedelta(minutes=config["VIDEO_JOIN_BEFORE_MINUTES"]),
        booking.ends_at + timedelta(minutes=config["VIDEO_JOIN_AFTER_MINUTES"]),
    )


def is_paid(booking: Booking) -> bool:
    """A free session, or a succeeded payment that is not wholly refunded."""
    if booking.amount == 0:
        return True
    from app.payments.models import Payment, PaymentStatus

    return bool(
        db.session.scalar(
            sa.select(sa.func.count(Payment.id)).where(
                Payment.booking_id == booking.id,
                Payment.status == PaymentStatus.SUCCEEDED,
                Payment.amount_refunded < Payment.amount,
            )
        )
    )


def participant_role(booking: Booking, user) -> str | None:
    """'client', 'coach', or None for anyone else."""
    user_id = getattr(user, "id", None)
    if user_id is None:
        return None
    if booking.client_id == user_id:
        return "client"
    if booking.coach.user_id == user_id:
        return "coach"
    return None


def can_join(booking: Booking, user, now: datetime) -> JoinCheck:
    """Whether `user` may join the booking's session at `now`: only its client and coach, no staff
    account, a confirmed and paid booking, inside the join window."""
    opens, closes = join_window(booking)

    def refuse(reason: str, is_early: bool = False) -> JoinCheck:
        return JoinCheck(False, reason, opens, closes, is_early)

    if getattr(user, "is_staff", False):
        return refuse("Staff accounts cannot join or observe a session.")
    if participant_role(booking, user) is None:
        return refuse("Only the booked client and coach can join this session.")
    if not booking.is_kept:
        return refuse(f"This booking is {booking.status.value}; only a confirmed, paid booking has a session.")
    if not is_paid(booking):
        return refuse("This booking is not paid; only a confirmed, paid booking has a session.")
    before, after = current_app.config["VIDEO_JOIN_BEFORE_MINUTES"], current_app.config["VIDEO_JOIN_AFTER_MINUTES"]
    if now < opens:
        return refuse(f"The session opens {before} minutes before the start.", is_early=True)
    if now >= closes:
        return refuse(f"The session closed {after} minutes after the end.")
    return JoinCheck(True, "", opens, closes)


def video_join(booking: Booking) -> JoinCheck:
    """Template global: the current user's answer for this booking now."""
    return can_join(booking, current_user, utcnow())


def video_join_now(booking: Booking) -> JoinCheck | None:
    """Template global for lists: the answer when the current user may join now, else None (outside
    the window no query is made, so a long list costs nothing)."""
    now = utcnow()
    opens, closes = join_window(booking)
    if not opens <= now < closes or not booking.is_kept:
        return None
    check = can_join(booking, current_user, now)
    return check if check.allowed else None


@dataclass(frozen=True)
class SessionLink:
    """The session page's full address and its window, for mails."""

    url: str
    opens_at: datetime
    closes_at: datetime


def video_session_link(booking: Booking) -> SessionLink:
    """Template global for mails (the reminder): where and from when to join."""
    from app.core.mail import external_url

    opens, closes = join_window(booking)
    return SessionLink(external_url("video.session", booking_id=booking.id), opens, closes)


def joinable_now(user, now: datetime) -> list[tuple[Booking, JoinCheck]]:
    """The user's bookings whose room is open to them now (the dashboard's Join buttons)."""
    config = current_app.config
    coach_user = sa.select(CoachProfile.id).where(CoachProfile.user_id == user.id).scalar_subquery()
    stmt = (
        sa.select(Booking)
        .where(
            Booking.status.in_(KEPT_BOOKING_STATUSES),
            Booking.starts_at <= now + timedelta(minutes=config["VIDEO_JOIN_BEFORE_MINUTES"]),
            Booking.ends_at > now - timedelta(minutes=config["VIDEO_JOIN_AFTER_MINUTES"]),
            sa.or_(Booking.client_id == user.id, Booking.coach_id.in_(coach_user)),
        )
        .order_by(Booking.starts_at, Booking.id)
        .limit(10)
    )
    checks = [(b, can_join(b, user, now)) for b in db.session.scalars(stmt)]
    return [(b, check) for b, check in checks if check.allowed]


def video_open_sessions() -> list[tuple[Booking, JoinCheck]]:
    """Template global: the current user's sessions open now."""
    if not getattr(current_user, "is_authenticated", False):
        return []
    return joinable_now(current_user, utcnow())


@dataclass(frozen=True)
class OutcomeView:
    """What a booking's page shows of its session's outcome: the row, and the contest form while the
    viewer may contest it (until `contest_until`)."""

    outcome: object | None
    form: object | None = None
    contest_until: datetime | None = None


def video_outcome(booking: Booking) -> OutcomeView:
    """Template global: the booking's outcome (if decided) and the current user's contest form."""
    from app.video.forms import ContestForm
    from app.video.models import CONTEST_WINDOW
    from app.video.outcomes import outcome_of

    row = outcome_of(booking.id)
    if row is None or row.contest_refusal(current_user, utcnow()):
        return OutcomeView(row)
    return OutcomeView(row, ContestForm(formdata=None), row.decided_at + CONTEST_WINDOW)
