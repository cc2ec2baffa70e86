"""Recording attendance: joins, leaves and heartbeats merged into each participant's intervals.

`record_join` and `record_leave` are what a provider's webhooks call (Daily's participant.joined /
left, Jitsi's); duplicated and out-of-order calls are safe: a join inside an interval, or a leave
that an interval already ends after, changes nothing, and a leave that arrives before its join
makes an interval whose start the join fills in. The P2P page calls `record_heartbeat` every
HEARTBEAT_SECONDS with its connection state and the bytes it sent and received since its last beat;
a beat within MERGE_GAP of an open interval extends it, a later one starts a new interval.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from app.booking.models import Booking
from app.core import audit
from app.core.effects import transaction
from app.core.errors import PermissionDenied, ValidationFailed
from app.extensions import db
from app.video.access import can_join, participant_role
from app.video.limits import check_limit
from app.video.models import AttendanceInterval, IntervalKind

HEARTBEAT_SECONDS = 15  # the page's cadence (static/js/video-call.js reads it from its config)
MERGE_GAP = timedelta(seconds=45)  # three beats missed: the next beat starts a new interval
LOCK_CLASS = 0x5E51  # pg_advisory_xact_lock(class, booking id): one writer per booking's attendance
EVENTS = ("join", "beat", "leave")
CONNECTION_STATES = ("new", "connecting", "connected", "disconnected", "failed", "closed")


def _provider_name(provider: str | None) -> str:
    if provider:
        return provider
    from app.video.providers import provider as current

    return current().name


def _lock(booking_id: int) -> None:
    if db.engine.dialect.name == "postgresql":  # SQLite runs one writer at a time
        db.session.execute(sa.text("SELECT pg_advisory_xact_lock(:c, :b)"), {"c": LOCK_CLASS, "b": booking_id})


def _rows(booking: Booking, user, provider: str, kind: IntervalKind) -> list[AttendanceInterval]:
    stmt = sa.select(AttendanceInterval).where(
        AttendanceInterval.booking_id == booking.id,
        AttendanceInterval.user_id == user.id,
        AttendanceInterval.provider == provider,
        AttendanceInterval.kind == kind,
    )
    return list(db.session.scalars(stmt.order_by(AttendanceInterval.started_at, AttendanceInterval.id)))


def _role(booking: Booking, user) -> str:
    role = participant_role(booking, user)
    if role is None:
        raise PermissionDenied("Only the booked client and coach attend this session.", code="video_refused")
    return role


def _new(booking: Booking, user, provider: str, kind: IntervalKind, at: datetime, **flags) -> AttendanceInterval:
    row = AttendanceInterval(
        booking_id=booking.id,
        user_id=user.id,
        role=_role(booking, user),
        provider=provider,
        kind=kind,
        started_at=at,
        ended_at=at,
        **flags,
    )
    db.session.add(row)
    db.session.flush()
    return row


def _merge(rows: list[AttendanceInterval], provider: str) -> None:
    """Join rows that overlap (or, for an open P2P interval, lie within MERGE_GAP); flushes."""
    rows = sorted(rows, key=lambda r: (r.started_at, r.id or 0))
    current = None
    for row in rows:
        if current is None:
            current = row
            continue
        reach = current.ended_at + (MERGE_GAP if provider == "p2p" and current.is_open else timedelta(0))
        if row.started_at > reach:
            current = row
            continue
        if row.ended_at >= current.ended_at:
            current.ended_at, current.is_open = row.ended_at, row.is_open
        db.session.delete(row)
    db.session.flush()


def _snapshot(row: AttendanceInterval) -> dict:
    return {
        "booking_id": row.booking_id,
        "role": row.role,
        "provider": row.provider,
        "started_at": row.started_at.isoformat(),
        "ended_at": row.ended_at.isoformat(),
        "is_open": row.is_open,
    }


def _latest(rows: list[AttendanceInterval], at: datetime) -> AttendanceInterval | None:
    """The last interval that starts at or before `at`."""
    before = [r for r in rows if r.started_at <= at]
    return before[-1] if before else None


def _join(booking: Booking, user, at: datetime, provider: str, kind: IntervalKind) -> AttendanceInterval | None:
    """Flush-only: the join merged into the rows; the row it made or filled in, None for a duplicate."""
    rows = _rows(booking, user, provider, kind)
    if any(r.started_at <= at <= r.ended_at for r in rows):
        return None
    later = [r for r in rows if r.started_at > at]
    if later and not later[0].is_start_known:
        row = later[0]
        row.started_at, row.is_start_known = at, True
    else:
        row = _new(booking, user, provider, kind, at)
        rows.append(row)
    _merge(rows, provider)
    return row


def _leave(booking: Booking, user, at: datetime, provider: str, kind: IntervalKind) -> AttendanceInterval | None:
    """Flush-only: close the interval the leave ends; None for a duplicate or a P2P leave with no interval."""
    rows = _rows(booking, user, provider, kind)
    row = _latest(rows, at)
    if row is not None and row.is_open:
        if provider != "p2p" or at <= row.ended_at + MERGE_GAP:
            row.ended_at = max(row.ended_at, at)
        row.is_open = False  # a P2P page silent for longer: it left at its last beat
    elif row is not None and at <= row.ended_at:
        return None
    elif provider == "p2p":
        return None  # a page's leave with nothing open: its beats said nothing, nor does this
    else:
        row = _new(booking, user, provider, kind, at, is_open=False, is_start_known=False)
        rows.append(row)
    _merge(rows, provider)
    return row


def _beat(booking: Booking, user, at: datetime, provider: str, kind: IntervalKind) -> AttendanceInterval | None:
    """Flush-only: extend the open interval the beat falls within MERGE_GAP of, or start one."""
    rows = _rows(booking, user, provider, kind)
    row = _latest(rows, at)
    if row is not None and row.is_open and at <= row.ended_at + MERGE_GAP:
        row.ended_at = max(row.ended_at, at)
    elif row is not None and at <= row.ended_at:
        return None  # a late beat inside a recorded interval
    else:
        row = _new(booking, user, provider, kind, at)
        rows.append(row)
    _merge(rows, provider)
    return row


def _stop_media(booking: Booking, user, provider: str) -> None:
    for row in _rows(booking, user, provider, IntervalKind.MEDIA):
        row.is_open = False


def record_join(booking: Booking, user, at: datetime, *, provider: str | None = None) -> AttendanceInterval | None:
    """`user` entered the booking's room at `at` (a provider's participant.joined); idempotent, audited once."""
    provider = _provider_name(provider)
    _role(booking, user)
    with transaction():
        _lock(booking.id)
        row = _join(booking, user, at, provider, IntervalKind.PRESENT)
        if row is not None:
            actor = user if provider == "p2p" else None
            audit.record(actor, "video.attendance.join", row, None, {**_snapshot(row), "at": at.isoformat()})
    return row


def record_leave(booking: Booking, user, at: datetime, *, provider: str | None = None) -> AttendanceInterval | None:
    """`user` left the booking's room at `at` (a provider's participant.left, a P2P tab closing); idempotent."""
    provider = _provider_name(provider)
    _role(booking, user)
    with transaction():
        _lock(booking.id)
        row = _leave(booking, user, at, provider, IntervalKind.PRESENT)
        if provider == "p2p":
            _stop_media(booking, user, provider)
        if row is not None:
            actor = user if provider == "p2p" else None
            audit.record(actor, "video.attendance.leave", row, None, {**_snapshot(row), "at": at.isoformat()})
    return row


def record_heartbeat(booking: Booking, user, at: datetime, *, media: bool) -> AttendanceInterval | None:
    """A P2P page is still in the call at `at`; `media`: bytes flowed both ways since its last beat."""
    _role(booking, user)
    with transaction():
        _lock(booking.id)
        row = _beat(booking, user, at, "p2p", IntervalKind.PRESENT)
        if media:
            _beat(booking, user, at, "p2p", IntervalKind.MEDIA)
        else:
            _stop_media(booking, user, "p2p")
    return row


def _count(body: dict, name: str) -> int:
    value = body.get(name, 0)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValidationFailed(f"{name} is a whole number of bytes, 0 or more.", fields={name: "a count"})
    return value


def attend(booking: Booking, actor, body: dict, now: datetime) -> str:
    """The session page's attendance report (join, beat or leave), inside the join window; the event."""
    check = can_join(booking, actor, now)
    if not check.allowed:
        raise PermissionDenied(check.reason, code="video_refused")
    check_limit("attendance", actor.id, booking.id, now)
    event = body.get("event")
    if event not in EVENTS:
        raise ValidationFailed("event is one of " + ", ".join(EVENTS) + ".", fields={"event": "unknown"})
    state = body.get("connection_state", "new")
    if state not in CONNECTION_STATES:
        raise ValidationFailed("connection_state is an RTCPeerConnectionState.", fields={"connection_state": "unknown"})
    sent, received = _count(body, "bytes_sent"), _count(body, "bytes_received")
    if event == "join":
        record_join(booking, actor, now, provider="p2p")
    elif event == "leave":
        record_leave(booking, actor, now, provider="p2p")
    else:
        record_heartbeat(booking, actor, now, media=state == "connected" and sent > 0 and received > 0)
    return event


def intervals(booking: Booking) -> list[AttendanceInterval]:
    """The booking's attendance, in time order (the staff timeline, the outcome)."""
    stmt = sa.select(AttendanceInterval).where(AttendanceInterval.booking_id == booking.id)
    return list(db.session.scalars(stmt.order_by(AttendanceInterval.started_at, AttendanceInterval.id)))
