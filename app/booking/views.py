"""Client booking pages: the book flow, my bookings, a booking's page, reschedule, cancel, review."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from app.analytics import tracking
from app.booking import services
from app.booking.availability import active_session_types, free_slots
from app.booking.forms import BookingForm, CancelForm, RescheduleForm, ReviewForm
from app.booking.models import Booking, SessionType
from app.booking.notifications import ics_for
from app.booking.queries import bookings_for, review_of
from app.coaches.models import CoachProfile
from app.core.db import utcnow
from app.core.errors import ValidationFailed
from app.core.inputs import check_moment
from app.core.money import format_money
from app.core.security import login_required
from app.core.template_helpers import viewer_zone
from app.core.view_errors import service_errors
from app.extensions import db

bp = Blueprint("bookings", __name__, template_folder="templates")

CALENDAR_DAYS = 21


def _coach_or_404(coach_id: int) -> CoachProfile:
    coach = db.session.get(CoachProfile, coach_id)
    if coach is None or not coach.is_active or not coach.user.is_active:
        abort(404)
    return coach


def _own_booking_or_404(booking_id: int) -> Booking:
    booking = db.session.get(Booking, booking_id)
    if booking is None or booking.party_of(current_user) is None:
        abort(404)
    return booking


def slot_calendar(coach, session_type, chosen_day: str | None, exclude_booking_id=None):
    """(days with free slots in the viewer's zone, the chosen day, that day's slots)."""
    zone = viewer_zone()
    now = utcnow()
    slots = free_slots(
        coach, session_type, now, now + timedelta(days=CALENDAR_DAYS), exclude_booking_id=exclude_booking_id
    )
    by_day: dict[date, list] = {}
    for slot in slots:
        by_day.setdefault(slot.starts_at.astimezone(zone).date(), []).append(slot)
    try:
        day = date.fromisoformat(chosen_day) if chosen_day else None
    except ValueError:
        day = None
    if day not in by_day:
        day = next(iter(by_day), None)
    return by_day, day, by_day.get(day, [])


def _chosen(types: list[SessionType]) -> SessionType | None:
    """The session type named by ?session_type_id=, if it is one of these."""
    wanted = request.args.get("session_type_id", type=int)
    return next((t for t in types if t.id == wanted), None)


@bp.get("/coaches/<int:coach_id>/book")
@login_required
def book(coach_id: int):
    """Steps 1-3: session type, a day on the calendar, a slot in your time zone, notes."""
    coach = _coach_or_404(coach_id)
    types = active_session_types(coach.id)
    session_type = _chosen(types)
    if not request.args:  # the first step, not a change of day or session type
        tracking.record(tracking.BOOKING_STARTED, current_user, coach_id=coach.id)
    days, day, day_slots = ({}, None, [])
    if session_type is not None:
        days, day, day_slots = slot_calendar(coach, session_type, request.args.get("day"))
    return render_template(
        "booking/book.html",
        coach=coach,
        session_types=types,
        session_type=session_type,
        days=days,
        day=day,
        day_slots=day_slots,
        zone=viewer_zone().key,
    )


@bp.get("/coaches/<int:coach_id>/book/review")
@login_required
def review_booking(coach_id: int):
    """Step 4: review the choice and the policy before holding the slot and paying."""
    coach = _coach_or_404(coach_id)
    session_type = _chosen(active_session_types(coach.id))
    try:
        starts_at = check_moment(datetime.fromisoformat(request.args.get("starts_at", "")), "starts_at")
    except (ValueError, ValidationFailed):
        starts_at = None
    if session_type is None or starts_at is None or starts_at.tzinfo is None:
        flash("Pick a session and a time first.", "error")
        return redirect(url_for("bookings.book", coach_id=coach.id))
    notes = (request.args.get("notes") or "").strip()[:2000]
    form = BookingForm(session_type_id=session_type.id, starts_at=starts_at.isoformat(), notes=notes)
    return render_template(
        "booking/review.html",
        coach=coach,
        session_type=session_type,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=session_type.duration_minutes),
        notes=notes,
        form=form,
        policy=services.policy_text(coach),
    )


@bp.post("/coaches/<int:coach_id>/book")
@login_required
def create(coach_id: int):
    """Hold the slot, then go to payment (or the booking's page while payments are not wired)."""
    coach = _coach_or_404(coach_id)
    form = BookingForm()
    if not form.validate_on_submit():
        flash("Your choice expired; please pick again.", "error")
        return redirect(url_for("bookings.book", coach_id=coach.id))
    with service_errors() as outcome:
        try:
            starts_at = datetime.fromisoformat(form.starts_at.data)
            booking = services.create_booking(
                current_user, coach.id, int(form.session_type_id.data), starts_at, form.notes.data or ""
            )
        except ValueError:
            raise ValidationFailed("That time is not valid.") from None
    if outcome.failed:
        return redirect(url_for("bookings.book", coach_id=coach.id, session_type_id=form.session_type_id.data))
    if "payments.checkout" in current_app.view_functions:
        return redirect(url_for("payments.checkout", booking_id=booking.id))
    return redirect(url_for("bookings.detail", booking_id=booking.id))


@bp.get("/bookings")
@login_required
def my_bookings():
    """Upcoming and past sessions, as client and as coach."""
    upcoming, past = bookings_for(current_user)
    return render_template("booking/list.html", upcoming=upcoming, past=past)


@bp.get("/bookings/<int:booking_id>")
@login_required
def detail(booking_id: int):
    """The booking, its state (awaiting payment while held), the policy and what can be done."""
    booking = _own_booking_or_404(booking_id)
    review = review_of(booking.id)
    return render_template(
        "booking/detail.html",
        booking=booking,
        role=booking.party_of(current_user),
        now=utcnow(),
        review=review,
        can_review=booking.can_be_reviewed_by(current_user) and review is None,
        review_form=ReviewForm(),
        policy=services.policy_text(booking.coach),
    )


@bp.get("/bookings/<int:booking_id>/calendar.ics")
@login_required
def calendar(booking_id: int):
    """The session as an iCalendar file for the client's or the coach's calendar."""
    booking = _own_booking_or_404(booking_id)
    if not booking.is_kept:
        abort(404)
    return Response(
        ics_for(booking),
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="session-{booking.id}.ics"'},
    )


@bp.get("/bookings/<int:booking_id>/cancel")
@login_required
def confirm_cancel(booking_id: int):
    """Ask before cancelling, with what the cancellation refunds."""
    booking = _own_booking_or_404(booking_id)
    if not booking.can_be_cancelled_by(current_user, utcnow()):
        flash("This booking can no longer be cancelled.", "error")
        return redirect(url_for("bookings.detail", booking_id=booking.id))
    return render_template(
        "booking/cancel.html",
        booking=booking,
        role=booking.party_of(current_user),
        refund=services.cancellation_refund(booking, current_user, utcnow()),
        form=CancelForm(),
        policy=services.policy_text(booking.coach),
    )


@bp.post("/bookings/<int:booking_id>/cancel")
@login_required
def cancel(booking_id: int):
    """Cancel under the policy; the message says what is refunded."""
    booking = _own_booking_or_404(booking_id)
    form = CancelForm()
    if form.validate_on_submit():
        with service_errors():
            refund = services.cancellation_refund(booking, current_user, utcnow())
            services.cancel_booking(booking, current_user, form.reason.data or "")
            flash(_cancelled_message(booking, refund), "success")
    return redirect(url_for("bookings.detail", booking_id=booking.id))


def _cancelled_message(booking: Booking, refund: int) -> str:
    if refund <= 0:
        return "The booking is cancelled. Nothing is refunded."
    return f"The booking is cancelled. {format_money(refund, booking.currency)} will be refunded to the card it was paid with."


@bp.route("/bookings/<int:booking_id>/reschedule", methods=["GET", "POST"])
@login_required
def reschedule(booking_id: int):
    """Pick another free slot of the same session."""
    booking = _own_booking_or_404(booking_id)
    if not booking.can_be_rescheduled_by(current_user, utcnow()):
        flash("This session can no longer be moved.", "error")
        return redirect(url_for("bookings.detail", booking_id=booking.id))
    days, day, day_slots = slot_calendar(booking.coach, booking.session_type, request.args.get("day"), booking.id)
    form = RescheduleForm()
    form.starts_at.choices = [SelectChoice(s.starts_at.isoformat()) for s in day_slots]
    if request.method == "POST":
        form.starts_at.choices = [SelectChoice(form.starts_at.data)] if form.starts_at.data else []
        if form.validate_on_submit():
            with service_errors():
                try:
                    starts_at = datetime.fromisoformat(form.starts_at.data)
                    services.reschedule_booking(booking, current_user, starts_at, form.reason.data or "")
                except ValueError:
                    raise ValidationFailed("That time is not valid.") from None
                flash("The booking has moved.", "success")
                return redirect(url_for("bookings.detail", booking_id=booking.id))
    return render_template(
        "booking/reschedule.html",
        booking=booking,
        days=days,
        day=day,
        day_slots=day_slots,
        form=form,
        zone=viewer_zone().key,
        policy=services.policy_text(booking.coach),
        refundable_after_move=services.refundable_after_move(booking, current_user, utcnow()),
    )


@bp.post("/bookings/<int:booking_id>/review")
@login_required
def review(booking_id: int):
    """Leave the one review of a completed session."""
    booking = _own_booking_or_404(booking_id)
    form = ReviewForm()
    if form.validate_on_submit():
        with service_errors():
            services.leave_review(booking, current_user, int(form.rating.data), form.body.data or "")
            flash("Thank you for your review.", "success")
    return redirect(url_for("bookings.detail", booking_id=booking.id))
