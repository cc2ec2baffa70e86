"""Video endpoints of the JSON API: the signalling relay of the browser-to-browser call."""

from __future__ import annotations

from flask import abort, jsonify
from flask_login import current_user

from app.api import bp
from app.api.spec import body, operation
from app.booking.models import Booking
from app.core.db import utcnow
from app.core.security import login_required
from app.extensions import db
from app.video import attendance, services
from app.video.schemas import AttendanceOut, AttendanceReport, Signal, SignalOut


@bp.post("/video/<int:booking_id>/signal")
@login_required
@operation(
    "Send a WebRTC signal (hello, description, candidate, bye) to the booking's other participant; it "
    "arrives on their /api/stream as a `video.signal` event. Only the booked client and coach, inside the "
    "join window; 403 with the reason otherwise",
    json=Signal,
    resp={202: SignalOut},
)
def video_signal(booking_id: int):
    """202 once the signal is in the other participant's event log."""
    booking = db.session.get(Booking, booking_id)
    if booking is None:
        abort(404)
    signal = services.relay_signal(booking, current_user, body().model_dump(exclude_none=True), utcnow())
    return jsonify(kind=signal["kind"]), 202


@bp.post("/video/<int:booking_id>/attendance")
@login_required
@operation(
    "Report the caller's attendance of the booking's session: `join`, then a `beat` every 15 seconds with "
    "the connection state and the media bytes sent and received since the last one, and `leave`. Beats "
    "are merged into attendance intervals; media counts as flowing while connected with bytes both ways. "
    "Only the booked client and coach, inside the join window; 403 with the reason otherwise",
    json=AttendanceReport,
    resp={202: AttendanceOut},
)
def video_attendance(booking_id: int):
    """202 once the report is merged into the caller's intervals."""
    booking = db.session.get(Booking, booking_id)
    if booking is None:
        abort(404)
    event = attendance.attend(booking, current_user, body().model_dump(exclude_none=True), utcnow())
    return jsonify(event=event), 202
