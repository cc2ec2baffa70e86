"""Booking endpoints of the JSON API: availability, book, reschedule, cancel, the user's bookings."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import jsonify, request
from flask_login import current_user

from app.api import bp
from app.api.spec import args, body, operation
from app.booking import services
from app.booking.availability import active_session_types, free_slots
from app.booking.models import Booking
from app.booking.queries import bookings_for
from app.booking.schemas import (
    AvailabilityOut,
    AvailabilityQuery,
    BookingOut,
    Cancellation,
    NewBooking,
    Reschedule,
    UserBookings,
)
from app.booking.slots import in_zone
from app.coaches.models import CoachProfile
from app.core.db import utcnow
from app.core.errors import NotFound, ValidationFailed
from app.core.inputs import check_moment
from app.core.security import login_required, public
from app.extensions import db

MAX_RANGE = timedelta(weeks=8)


def booking_json(booking: Booking) -> dict:
    """The booking as the API shows it (times in UTC with their offset)."""
    return {
        "id": booking.id,
        "status": booking.status.value,
        "starts_at": booking.starts_at.isoformat(),
        "ends_at": booking.ends_at.isoformat(),
        "amount": booking.amount,
        "currency": booking.currency,
        "hold_expires_at": booking.hold_expires_at.isoformat() if booking.hold_expires_at else None,
    }


def parse_zone(name: str | None) -> ZoneInfo:
    """A valid IANA zone or 400."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationFailed("Unknown time zone.", fields={"tz": "an IANA name like Europe/Berlin"}) from None


def parse_moment(raw: str | None, field: str, zone: ZoneInfo, *, end_of_day: bool = False) -> datetime | None:
    """An ISO date (midnight in `zone`) or an ISO date-time with offset; None when absent."""
    if not raw:
        return None
    try:
        if len(raw) == 10:
            day = check_moment(datetime.combine(date.fromisoformat(raw), time(0), tzinfo=zone), field)
            return day + timedelta(days=1 if end_of_day else 0)
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise ValidationFailed(f"{field} is not an ISO 8601 date or time.", fields={field: "ISO 8601"}) from None
    if value.tzinfo is None:
        raise ValidationFailed(f"{field} needs a UTC offset.", fields={field: "add an offset, e.g. +01:00"})
    return check_moment(value, field)


def _own_booking(booking_id: int) -> Booking:
    booking = db.session.get(Booking, booking_id)
    if booking is None or current_user.id not in (booking.client_id, booking.coach.user_id):
        raise NotFound("No such booking.")
    return booking


@bp.get("/coaches/<int:coach_id>/availability")
@public
@operation("Free slots of a coach, shown in the given time zone", query=AvailabilityQuery, resp={200: AvailabilityOut})
def coach_availability(coach_id: int):
    """Slots in [from, to) (dates are midnight in tz; default: the next 7 days; at most 8 weeks)."""
    args()
    coach = db.session.get(CoachProfile, coach_id)
    if coach is None or not coach.is_active or not coach.user.is_active:
        raise NotFound("No such coach.")
    zone = parse_zone(request.args.get("tz"))
    start = parse_moment(request.args.get("from"), "from", zone) or utcnow()
    end = parse_moment(request.args.get("to"), "to", zone, end_of_day=True) or start + timedelta(days=7)
    if end <= start:
        raise ValidationFailed("`to` must be after `from`.", fields={"to": "after from"})
    end = min(end, start + MAX_RANGE)
    types = active_session_types(coach.id)
    wanted = request.args.get("session_type_id", type=int)
    if wanted is not None:
        types = [t for t in types if t.id == wanted]
    slots = []
    for session_type in types:
        for slot in free_slots(coach, session_type, start, end):
            slots.append((slot.starts_at, slot.ends_at, session_type.id))
    slots.sort()
    return jsonify(
        timezone=zone.key,
        slots=[
            {
                "starts_at": in_zone(s, zone.key).isoformat(),
                "ends_at": in_zone(e, zone.key).isoformat(),
                "session_type_id": t,
            }
            for s, e, t in slots
        ],
    )


@bp.post("/bookings")
@login_required
@operation("Hold a slot (pay to confirm it)", json=NewBooking, resp={201: BookingOut, 409: None})
def create_booking():
    """201 with the held booking, or 409 slot_taken."""
    data = body()
    starts_at = parse_moment(data.starts_at, "starts_at", ZoneInfo("UTC"))
    booking = services.create_booking(current_user, data.coach_id, data.session_type_id, starts_at, data.notes or "")
    return jsonify(booking_json(booking)), 201


@bp.put("/bookings/<int:booking_id>/reschedule")
@login_required
@operation("Move a booking to another free slot", json=Reschedule, resp={200: BookingOut})
def reschedule_booking(booking_id: int):
    """Client or coach; clients only outside the coach's notice, coaches with a reason inside it."""
    booking = _own_booking(booking_id)
    data = body()
    starts_at = parse_moment(data.starts_at, "starts_at", ZoneInfo("UTC"))
    services.reschedule_booking(booking, current_user, starts_at, data.reason or "")
    return jsonify(booking_json(booking))


@bp.put("/bookings/<int:booking_id>/cancel")
@login_required
@operation("Cancel a booking under the cancellation policy", json=Cancellation, resp={200: BookingOut})
def cancel_booking(booking_id: int):
    """Client or coach (coaches give a reason); a refund, if due, is handed to Payments."""
    booking = _own_booking(booking_id)
    services.cancel_booking(booking, current_user, body().reason or "")
    return jsonify(booking_json(booking))


@bp.get("/bookings/user")
@login_required
@operation("The signed-in user's bookings, as client and as coach", resp={200: UserBookings})
def user_bookings():
    """Upcoming (soonest first) and the last 50 past bookings, each with role, coach and session."""
    upcoming, past = bookings_for(current_user)
    return jsonify(upcoming=[_listed(b) for b in upcoming], past=[_listed(b) for b in past])


def _listed(booking: Booking) -> dict:
    return {
        **booking_json(booking),
        "role": "client" if booking.client_id == current_user.id else "coach",
        "coach": {"id": booking.coach_id, "name": booking.coach.user.full_name},
        "client": {"id": booking.client_id, "name": booking.client.full_name},
        "session_type": {"id": booking.session_type_id, "name": booking.session_type.name},
    }
