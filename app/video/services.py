"""Relaying a call's signalling between the two booked users.

Signals are transient (an offer, an answer, ICE candidates): they go to the other participant's
event stream and are not audited; attendance, once recorded, will be.
"""

from __future__ import annotations

from datetime import datetime

from app.booking.models import Booking
from app.core.effects import transaction
from app.core.errors import PermissionDenied, ValidationFailed
from app.realtime import events
from app.video.access import can_join, participant_role
from app.video.limits import check_limit

EVENT_TYPE = "video.signal"
KINDS = ("hello", "welcome", "description", "candidate", "bye")
DESCRIPTION_TYPES = ("offer", "answer", "pranswer", "rollback")
MAX_SDP = 64_000
MAX_CANDIDATE = 2_000
MAX_PAGE = 64


def _text(value, name: str, limit: int, *, optional: bool = False) -> str | None:
    if value is None and optional:
        return None
    if not isinstance(value, str) or len(value) > limit:
        raise ValidationFailed(f"{name} is a string of at most {limit} characters.", fields={name: "a string"})
    return value


def clean_signal(body: dict) -> dict:
    """The signal's fields, checked and copied (nothing else the sender wrote is passed on)."""
    kind = body.get("kind")
    if kind not in KINDS:
        raise ValidationFailed("kind is one of " + ", ".join(KINDS) + ".", fields={"kind": "unknown"})
    signal = {"kind": kind, "page": _text(body.get("page"), "page", MAX_PAGE)}
    if body.get("connection") is not None:  # optional: which of the pages' connections it belongs to
        signal["connection"] = _text(body["connection"], "connection", MAX_PAGE)
    if kind == "description":
        description = body.get("description")
        if not isinstance(description, dict) or description.get("type") not in DESCRIPTION_TYPES:
            raise ValidationFailed("description is {type, sdp}.", fields={"description": "type: offer or answer"})
        sdp = _text(description.get("sdp", ""), "description.sdp", MAX_SDP)
        signal["description"] = {"type": description["type"], "sdp": sdp}
    elif kind == "candidate":
        candidate = body.get("candidate")
        if not isinstance(candidate, dict):
            raise ValidationFailed("candidate is an RTCIceCandidate's JSON.", fields={"candidate": "an object"})
        index = candidate.get("sdpMLineIndex")
        if index is not None and (isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < 64):
            raise ValidationFailed("sdpMLineIndex is a small integer.", fields={"candidate": "sdpMLineIndex"})
        signal["candidate"] = {
            "candidate": _text(candidate.get("candidate"), "candidate.candidate", MAX_CANDIDATE),
            "sdpMid": _text(candidate.get("sdpMid"), "candidate.sdpMid", MAX_PAGE, optional=True),
            "sdpMLineIndex": index,
            "usernameFragment": _text(
                candidate.get("usernameFragment"), "candidate.usernameFragment", MAX_PAGE, optional=True
            ),
        }
    return signal


def relay_signal(booking: Booking, actor, body: dict, now: datetime) -> dict:
    """Pass one signal from `actor` to the booking's other participant, inside the join window."""
    check = can_join(booking, actor, now)
    if not check.allowed:
        raise PermissionDenied(check.reason, code="video_refused")
    check_limit("signal", actor.id, booking.id, now)
    signal = clean_signal(body)
    role = participant_role(booking, actor)
    other_id = booking.coach.user_id if role == "client" else booking.client_id
    with transaction():
        events.append(EVENT_TYPE, {other_id: {"booking_id": booking.id, "from": role, **signal}})
    return signal
