"""The session page of a booking (the call itself, for its client and coach inside the join window),
and contesting the session's outcome afterwards."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, url_for
from flask_login import current_user

from app.booking.models import Booking
from app.core.db import utcnow
from app.core.errors import PermissionDenied
from app.core.security import login_required
from app.core.view_errors import service_errors
from app.extensions import db
from app.video import outcomes
from app.video.access import can_join, participant_role
from app.video.forms import ContestForm
from app.video.hosted import origin
from app.video.providers import provider

bp = Blueprint("video", __name__, template_folder="templates")


@bp.get("/bookings/<int:booking_id>/session")
@login_required
def session(booking_id: int):
    """The call; 403 with the reason outside the window or for anyone but the two participants."""
    booking = db.session.get(Booking, booking_id)
    if booking is None:
        abort(404)
    check = can_join(booking, current_user, utcnow())
    if not check.allowed:
        raise PermissionDenied(check.reason, code="video_refused")
    role = participant_role(booking, current_user)
    room = provider().room(booking, current_user, role)
    if room.frame_url:  # a hosted provider's room: this page may frame that origin, and only this page
        g.csp_extra = {"frame_src": (origin(room.frame_url),)}
    other = booking.coach.user if role == "client" else booking.client
    return render_template(room.template, booking=booking, room=room, role=role, other=other, check=check)


@bp.post("/bookings/<int:booking_id>/contest")
@login_required
def contest(booking_id: int):
    """Contest the session's outcome (the booking's page shows the form while it may be contested)."""
    booking = db.session.get(Booking, booking_id)
    if booking is None or participant_role(booking, current_user) is None:
        abort(404)
    form = ContestForm()
    if form.validate_on_submit():
        with service_errors():
            outcomes.contest_outcome(booking, current_user, form.reason.data)
            flash("Thank you: our staff will look at the session and write to you both.", "success")
    else:
        for message in form.reason.errors:
            flash(message, "error")
    return redirect(url_for("bookings.detail", booking_id=booking.id))
