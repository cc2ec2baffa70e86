"""The coach's own settings: weekly hours, dated exceptions, session types, buffer/notice/horizon."""

from __future__ import annotations

from datetime import date, time

import sqlalchemy as sa

from app.booking.models import AvailabilityException, AvailabilityRule, ExceptionKind, SessionType
from app.coaches.models import CoachProfile
from app.core import audit
from app.core.effects import commit
from app.core.errors import NotFound, ValidationFailed
from app.core.jobs import enqueue_after_commit
from app.extensions import db


def coach_of(user) -> CoachProfile:
    """The user's coach profile, or 404."""
    coach = db.session.scalar(sa.select(CoachProfile).where(CoachProfile.user_id == user.id))
    if coach is None:
        raise NotFound("You have no coach profile yet.")
    return coach


def _refresh(coach: CoachProfile) -> None:
    enqueue_after_commit("workers.bookings.refresh_coach_search", coach.id)


def set_weekly_hours(coach: CoachProfile, actor, windows: list[tuple[int, time, time]]) -> None:
    """Replace the weekly hours with (weekday, start, end) windows in the coach's zone."""
    for weekday, start, end in windows:
        if not 0 <= weekday <= 6:
            raise ValidationFailed("Weekday must be 0 (Monday) to 6.")
        if end != time(0) and end <= start:
            raise ValidationFailed(
                "Each window must end after it starts.", fields={f"day{weekday}": "end before start"}
            )
    old = db.session.scalars(sa.select(AvailabilityRule).where(AvailabilityRule.coach_id == coach.id)).all()
    before = [[r.weekday, r.start_time.isoformat(), r.end_time.isoformat()] for r in old]
    for rule in old:
        db.session.delete(rule)
    for weekday, start, end in windows:
        db.session.add(AvailabilityRule(coach_id=coach.id, weekday=weekday, start_time=start, end_time=end))
    after = [[w, s.isoformat(), e.isoformat()] for w, s, e in windows]
    audit.record(actor, "availability.weekly", coach, {"hours": before}, {"hours": after})
    _refresh(coach)
    commit()


def update_booking_settings(
    coach: CoachProfile,
    actor,
    *,
    buffer_minutes: int,
    min_notice_hours: int,
    horizon_days: int,
    cancel_notice_hours: int,
) -> None:
    """Buffer between sessions, minimum notice, booking horizon and the clients' change notice."""
    values = {
        "buffer_minutes": buffer_minutes,
        "min_notice_hours": min_notice_hours,
        "horizon_days": horizon_days,
        "client_cancel_notice_hours": cancel_notice_hours,
    }
    limits = {
        "buffer_minutes": 240,
        "min_notice_hours": 24 * 14,
        "horizon_days": 365,
        "client_cancel_notice_hours": 24 * 14,
    }
    bad = {k: f"0 to {limits[k]}" for k, v in values.items() if not 0 <= v <= limits[k]}
    if values["horizon_days"] < 1:
        bad["horizon_days"] = "at least 1"
    if bad:
        raise ValidationFailed("Some settings are out of range.", fields=bad)
    before = {k: getattr(coach, k) for k in values}
    for key, value in values.items():
        setattr(coach, key, value)
    audit.record(actor, "availability.settings", coach, before, values)
    _refresh(coach)
    commit()


def add_exception(
    coach: CoachProfile, actor, on_date: date, kind: ExceptionKind, start: time | None, end: time | None
) -> AvailabilityException:
    """Time off (whole day without times) or extra hours on a date."""
    if kind == ExceptionKind.EXTRA_HOURS and (start is None or end is None):
        raise ValidationFailed("Extra hours need a start and an end.", fields={"start_time": "required"})
    if (start is None) != (end is None):
        raise ValidationFailed("Give both times or neither.", fields={"end_time": "required with a start"})
    if start is not None and end != time(0) and end <= start:
        raise ValidationFailed("The end must be after the start.", fields={"end_time": "after start"})
    exc = AvailabilityException(coach_id=coach.id, on_date=on_date, kind=kind, start_time=start, end_time=end)
    db.session.add(exc)
    audit.record(actor, "availability.exception_add", exc, None, {"date": on_date.isoformat(), "kind": kind.value})
    _refresh(coach)
    commit()
    return exc


def delete_exception(coach: CoachProfile, actor, exception_id: int) -> None:
    """Remove one of the coach's exceptions."""
    exc = db.session.get(AvailabilityException, exception_id)
    if exc is None or exc.coach_id != coach.id:
        raise NotFound("No such exception.")
    audit.record(actor, "availability.exception_delete", exc, {"date": exc.on_date.isoformat()}, None)
    db.session.delete(exc)
    _refresh(coach)
    commit()


def add_session_type(coach: CoachProfile, actor, name: str, duration_minutes: int, price_amount: int) -> SessionType:
    """A new bookable session in the coach's currency."""
    if not name.strip() or not 15 <= duration_minutes <= 480 or price_amount <= 0:
        raise ValidationFailed("Give a name, 15–480 minutes and a positive price.")
    session_type = SessionType(
        coach_id=coach.id,
        name=name.strip()[:80],
        duration_minutes=duration_minutes,
        price_amount=price_amount,
        currency=coach.currency,
    )
    db.session.add(session_type)
    audit.record(actor, "session_type.create", session_type, None, {"name": name, "price": price_amount})
    _refresh(coach)
    commit()
    return session_type


def set_session_type_active(coach: CoachProfile, actor, session_type_id: int, active: bool) -> None:
    """Offer or withdraw a session type (existing bookings keep theirs)."""
    session_type = db.session.get(SessionType, session_type_id)
    if session_type is None or session_type.coach_id != coach.id:
        raise NotFound("No such session type.")
    audit.record(actor, "session_type.toggle", session_type, {"active": session_type.is_active}, {"active": active})
    session_type.is_active = active
    _refresh(coach)
    commit()
