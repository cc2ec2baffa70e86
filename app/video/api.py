"""Video endpoints of the JSON API: the signalling relay of the browser-to-browser call."""

from __future__ import annotations

from flask import abort, jsonify
from flask_login import current_user

from app.api import bp
from app.api.bodies import json_object
from app.api.openapi import document
from app.booking.models import Booking
from app.core.db import utcnow
from app.core.security import login_required
from app.extensions import db
from app.video import attendance, services

SIGNAL = {
    "type": "object",
    "required": ["kind", "page"],
    "properties": {
        "kind": {"enum": list(services.KINDS)},
        "page": {"type": "string", "maxLength": services.MAX_PAGE, "description": "the sending tab's random id"},
        "connection": {
            "type": "string",
            "maxLength": services.MAX_PAGE,
            "description": "optional: the random id of the connection a description or candidate belongs to "
            "(made by the side that offers); signals of a replaced connection are dropped",
        },
        "description": {
            "type": "object",
            "properties": {"type": {"enum": list(services.DESCRIPTION_TYPES)}, "sdp": {"type": "string"}},
        },
        "candidate": {"type": "object", "description": "RTCIceCandidate.toJSON()"},
    },
}


@bp.post("/video/<int:booking_id>/signal")
@document(
    "Send a WebRTC signal (hello, description, candidate, bye) to the booking's other participant; it "
    "arrives on their /api/stream as a `video.signal` event. Only the booked client and coach, inside the "
    "join window; 403 with the reason otherwise",
    request=SIGNAL,
    responses={"202": {"type": "object", "properties": {"kind": {"type": "string"}}}},
)
@login_required
def video_signal(booking_id: int):
    """202 once the signal is in the other participant's event log."""
    booking = db.session.get(Booking, booking_id)
    if booking is None:
        abort(404)
    signal = services.relay_signal(booking, current_user, json_object(), utcnow())
    return jsonify(kind=signal["kind"]), 202


ATTENDANCE = {
    "type": "object",
    "required": ["event"],
    "properties": {
        "event": {"enum": list(attendance.EVENTS), "description": "join when the page starts, beat every 15 s, leave"},
        "connection_state": {"enum": list(attendance.CONNECTION_STATES), "description": "RTCPeerConnection's"},
        "bytes_sent": {"type": "integer", "minimum": 0, "description": "media bytes sent since the last beat"},
        "bytes_received": {"type": "integer", "minimum": 0, "description": "media bytes received since the last beat"},
    },
}


@bp.post("/video/<int:booking_id>/attendance")
@document(
    "Report the caller's attendance of the booking's session: `join`, then a `beat` every 15 seconds with "
    "the connection state and the media bytes sent and received since the last one, and `leave`. Beats "
    "are merged into attendance intervals; media counts as flowing while connected with bytes both ways. "
    "Only the booked client and coach, inside the join window; 403 with the reason otherwise",
    request=ATTENDANCE,
    responses={"202": {"type": "object", "properties": {"event": {"type": "string"}}}},
)
@login_required
def video_attendance(booking_id: int):
    """202 once the report is merged into the caller's intervals."""
    booking = db.session.get(Booking, booking_id)
    if booking is None:
        abort(404)
    event = attendance.attend(booking, current_user, json_object(), utcnow())
    return jsonify(event=event), 202
