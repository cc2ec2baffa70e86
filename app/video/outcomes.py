"""A session's outcome, decided once its room closed: completed, a no-show or a technical failure.

`decide_due` (the clock's `flask video decide-due`, the `workers.video.decide_due` job) finds every
confirmed or completed booking whose join window closed (end + VIDEO_JOIN_AFTER_MINUTES) within the
last VIDEO_DECIDE_HORIZON_HOURS, started after video outcomes did on this database and has no
outcome (app.video.due), and decides each under a per-booking lock: one row per booking (unique),
so replays and concurrent runs decide once. Effects, after the commit:
a coach no-show refunds the client in full (the refund service, key `refund-booking-<id>-coach-no-show`);
a client no-show follows the cancellation policy (a missed session is not refunded); a technical
failure and a double no-show refund nothing and wait in staff's queue, whose decision may refund.
Every outcome and decision is audited and mailed to both parties.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from app.booking.models import Booking
from app.booking.notifications import mail_both
from app.core import audit
from app.core.db import utcnow
from app.core.effects import transaction
from app.core.errors import NotFound, PermissionDenied, ValidationFailed
from app.core.jobs import enqueue_after_commit
from app.core.roles import FINANCE_ROLES
from app.core.row_locks import lock_row
from app.extensions import db
from app.payments.models import Payment, PaymentStatus, Refund, RefundReason
from app.video.access import join_window
from app.video.due import due_booking_ids, due_window
from app.video.models import AttendanceInterval, IntervalKind, Outcome, OutcomeStatus, Resolution, SessionOutcome

log = logging.getLogger(__name__)

MIN_SECONDS = 60  # present, and media flowing, at least this long
LOCK_CLASS = 0x5E52  # pg_advisory_xact_lock(class, booking id): one decision per booking at a time
REFUND_JOB_GRACE = timedelta(minutes=5)  # the refund job's time to run before the sweep asks again
NEEDS_STAFF = (Outcome.TECHNICAL_FAILURE, Outcome.BOTH_NO_SHOW)
Span = tuple[datetime, datetime]


@dataclass(frozen=True)
class Measures:
    """Seconds each was present inside the join window, seconds media flowed, who joined at all."""

    client_seconds: int
    coach_seconds: int
    media_seconds: int
    client_joined: bool
    coach_joined: bool


def _union(spans: list[Span]) -> list[Span]:
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _intersection(a: list[Span], b: list[Span]) -> list[Span]:
    return [(max(s1, s2), min(e1, e2)) for s1, e1 in _union(a) for s2, e2 in _union(b) if max(s1, s2) < min(e1, e2)]


def _seconds(spans: list[Span]) -> int:
    return int(sum((end - start).total_seconds() for start, end in _union(spans)))


def measure(booking: Booking, now: datetime) -> Measures:
    """The booking's attendance in seconds, clipped to its join window. An interval a provider never
    closed lasts until the room closed; an open P2P one until its last heartbeat."""
    opens, closes = join_window(booking)
    rows = db.session.scalars(sa.select(AttendanceInterval).where(AttendanceInterval.booking_id == booking.id))
    present: dict[str, list[Span]] = {"client": [], "coach": []}
    provider_present: dict[str, list[Span]] = {"client": [], "coach": []}
    media: list[Span] = []
    joined = {"client": False, "coach": False}
    for row in rows:
        end = min(now, closes) if row.is_open and row.provider != "p2p" else row.ended_at
        span = (max(row.started_at, opens), min(end, closes))
        if row.kind == IntervalKind.PRESENT:
            joined[row.role] = True
        if span[0] > span[1]:
            continue
        if row.kind == IntervalKind.MEDIA:
            media.append(span)
        else:
            present[row.role].append(span)
            if row.provider != "p2p":  # a provider carries the media while both are in its room
                provider_present[row.role].append(span)
    media += _intersection(provider_present["client"], provider_present["coach"])
    return Measures(
        _seconds(present["client"]), _seconds(present["coach"]), _seconds(media), joined["client"], joined["coach"]
    )


def classify(m: Measures) -> Outcome:
    """The outcome the measures show."""
    if not m.client_joined and not m.coach_joined:
        return Outcome.BOTH_NO_SHOW
    if not m.coach_joined:
        return Outcome.COACH_NO_SHOW
    if not m.client_joined:
        return Outcome.CLIENT_NO_SHOW
    if min(m.client_seconds, m.coach_seconds, m.media_seconds) >= MIN_SECONDS:
        return Outcome.COMPLETED
    return Outcome.TECHNICAL_FAILURE


def _lock(booking_id: int) -> None:
    if db.engine.dialect.name == "postgresql":
        db.session.execute(sa.text("SELECT pg_advisory_xact_lock(:c, :b)"), {"c": LOCK_CLASS, "b": booking_id})


def outcome_of(booking_id: int) -> SessionOutcome | None:
    """The booking's outcome, if decided."""
    return db.session.scalar(sa.select(SessionOutcome).where(SessionOutcome.booking_id == booking_id))


def snapshot(row: SessionOutcome) -> dict:
    """What the audit log keeps of an outcome."""
    return {
        "booking_id": row.booking_id,
        "outcome": row.outcome.value,
        "status": row.status.value,
        "client_seconds": row.client_seconds,
        "coach_seconds": row.coach_seconds,
        "media_seconds": row.media_seconds,
        "resolution": row.resolution.value if row.resolution else None,
    }


def decide_session(booking_id: int, now: datetime | None = None) -> SessionOutcome | None:
    """Decide one booking's outcome if it is due and undecided (None otherwise); audited, mailed once."""
    now = now or utcnow()
    with transaction():
        _lock(booking_id)
        if outcome_of(booking_id) is not None:
            return None
        booking = db.session.get(Booking, booking_id)
        if booking is None or not booking.is_kept:
            return None
        window = due_window(now)
        if window is None or not window.holds(booking):
            return None
        m = measure(booking, now)
        outcome = classify(m)
        row = SessionOutcome(
            booking_id=booking.id,
            outcome=outcome,
            status=OutcomeStatus.AWAITING_STAFF if outcome in NEEDS_STAFF else OutcomeStatus.FINAL,
            decided_at=now,
            client_seconds=m.client_seconds,
            coach_seconds=m.coach_seconds,
            media_seconds=m.media_seconds,
        )
        db.session.add(row)
        db.session.flush()
        audit.record(None, "video.outcome.decided", row, None, snapshot(row))
        mail_both(booking, "video_outcome", _subject(outcome), ics=False, outcome=row, amount=_owed(row))
        if row.refund_key:
            enqueue_after_commit("workers.video.refund_outcome", booking.id, queue="payments")
    log.info("booking %s: %s", booking_id, outcome.value)
    return row


def _subject(outcome: Outcome) -> str:
    return {
        Outcome.COMPLETED: "Your coaching session is recorded as held",
        Outcome.CLIENT_NO_SHOW: "Missed session: the client did not join",
        Outcome.COACH_NO_SHOW: "Missed session: the coach did not join",
        Outcome.BOTH_NO_SHOW: "Missed session: nobody joined",
        Outcome.TECHNICAL_FAILURE: "Your coaching session did not connect",
    }[outcome]


def _payment(booking_id: int) -> Payment | None:
    return db.session.scalar(
        sa.select(Payment)
        .where(Payment.booking_id == booking_id, Payment.status == PaymentStatus.SUCCEEDED)
        .order_by(Payment.id.desc())
    )


def _owed(row: SessionOutcome) -> int:
    """What the outcome refunds the client: what remains of the payment, or 0."""
    if not row.refund_key:
        return 0
    payment = _payment(row.booking_id)
    if payment is None:
        return 0
    from app.payments.refunds import refundable_now

    return max(0, refundable_now(payment))


def refund_outcome(booking_id: int) -> Refund | None:
    """The refund the booking's outcome owes the client, requested once (its key), and linked to the outcome."""
    from app.payments.refunds import request_refund

    row = outcome_of(booking_id)
    if row is None or not row.refund_key:
        return None
    if row.refund_id is not None:
        return row.refund
    refund = db.session.scalar(sa.select(Refund).where(Refund.idempotency_key == row.refund_key))
    if refund is None:
        payment, amount = _payment(booking_id), _owed(row)
        if payment is None or amount <= 0:
            log.info("booking %s: %s owes a refund but nothing remains refundable", booking_id, row.outcome.value)
            return None
        reason = RefundReason.COACH_NO_SHOW if row.outcome == Outcome.COACH_NO_SHOW else RefundReason.GOODWILL
        note = f"Session outcome {row.outcome.value.replace('_', ' ')} for booking #{booking_id}"
        refund = request_refund(None, payment.id, amount, reason, note, system=True, key=row.refund_key)
    with transaction():
        row = outcome_of(booking_id)
        if row.refund_id is None:
            row.refund_id = refund.id
    return refund


def unrefunded_booking_ids(now: datetime) -> list[int]:
    """Outcomes that owe a refund still unlinked REFUND_JOB_GRACE after their decision (its job was lost)."""
    owing = sa.or_(
        SessionOutcome.outcome == Outcome.COACH_NO_SHOW, SessionOutcome.resolution == Resolution.REFUND_CLIENT
    )
    decided = sa.func.coalesce(SessionOutcome.resolved_at, SessionOutcome.decided_at)
    stmt = sa.select(SessionOutcome.booking_id).where(
        owing, SessionOutcome.refund_id.is_(None), decided <= now - REFUND_JOB_GRACE
    )
    return list(db.session.scalars(stmt.order_by(SessionOutcome.id)))


def decide_due(now: datetime | None = None) -> int:
    """Decide every due session; then ask again for refunds an outcome owes whose job never linked one."""
    now = now or utcnow()
    decided = sum(1 for booking_id in due_booking_ids(now) if decide_session(booking_id, now) is not None)
    for booking_id in unrefunded_booking_ids(now):
        log.warning("booking %s: its outcome's refund job left no refund; asking again", booking_id)
        refund_outcome(booking_id)
    return decided


def contest_outcome(booking: Booking, actor, reason: str, now: datetime | None = None) -> SessionOutcome:
    """The client or the coach disputes a final outcome within 48 hours: it goes to staff's queue; audited, mailed."""
    now = now or utcnow()
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("Say what happened.", fields={"reason": "Say what happened."})
    with transaction():
        row = lock_row(SessionOutcome, booking.id, SessionOutcome.booking_id)
        if row is None:
            raise NotFound("This session has no outcome yet.")
        refusal = row.contest_refusal(actor, now)
        if refusal:
            raise PermissionDenied(refusal, code="contest_refused")
        before = snapshot(row)
        row.transition_to(OutcomeStatus.CONTESTED)
        row.contested_by_id, row.contested_at, row.contest_reason = actor.id, now, reason
        audit.record(actor, "video.outcome.contested", row, before, {**snapshot(row), "reason": reason})
        mail_both(booking, "video_contested", "A session's outcome is contested", ics=False, outcome=row)
    return row


def resolve_outcome(actor, outcome_id: int, resolution: str, note: str) -> SessionOutcome:
    """Staff decide a session in their queue (awaiting them or contested): refund the client in full, or
    not; audited, mailed."""
    if actor is None or not actor.has_role(*FINANCE_ROLES):
        raise PermissionDenied("Only finance staff and admins decide sessions.")
    try:
        resolution = Resolution(resolution)
    except ValueError as exc:
        raise ValidationFailed("Choose a decision.", fields={"resolution": "Unknown decision."}) from exc
    note = (note or "").strip()
    if not note:
        raise ValidationFailed("A note is required.", fields={"note": "A note is required."})
    with transaction():
        row = lock_row(SessionOutcome, outcome_id)
        if row is None:
            raise NotFound("No such session outcome.")
        if row.booking.client_id == actor.id or row.booking.coach.user_id == actor.id:
            raise PermissionDenied("This session is yours: another staff member must decide it.")
        before = snapshot(row)
        row.transition_to(OutcomeStatus.RESOLVED)
        row.resolution, row.resolution_note = resolution, note
        row.resolved_by_id, row.resolved_at = actor.id, utcnow()
        audit.record(actor, "video.outcome.resolved", row, before, {**snapshot(row), "note": note})
        mail_both(row.booking, "video_decision", "A decision on your coaching session", ics=False, outcome=row,
                  amount=_owed(row))  # fmt: skip
        if row.refund_key:
            enqueue_after_commit("workers.video.refund_outcome", row.booking_id, queue="payments")
    return row
