"""Attendance from the hosted providers' webhooks: Daily's participant.joined/left (signed) and
prosody's event_sync occupant joined/left for Jitsi (a shared bearer token).

Each event is applied once: its key (Daily's event id; for Jitsi the event, room, occupant and time)
is stored with the attendance change in one transaction, so a redelivery answers `duplicate` and
changes nothing; `record_join`/`record_leave` are themselves safe for events out of order. Events for
rooms or people we do not know are acknowledged and ignored (the provider would retry them forever).
"""

from __future__ import annotations

import hmac
import json
import logging
from datetime import UTC, datetime

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, jsonify, request

from app.accounts.models import User
from app.booking.models import Booking
from app.core.error_pages import error_response
from app.core.errors import PermissionDenied
from app.core.security import public
from app.extensions import db
from app.video import daily
from app.video.attendance import record_join, record_leave
from app.video.room_models import VideoProviderEvent, VideoRoom

bp = Blueprint("video_webhooks", __name__)
log = logging.getLogger(__name__)

DAILY_EVENTS = {"participant.joined": "joined", "participant.left": "left"}


def _body() -> dict | None:
    try:
        body = json.loads(request.get_data())
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _moment(value) -> datetime | None:
    """A provider's Unix time (seconds, fractional or not) as UTC."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return datetime.fromtimestamp(value, UTC)


def _apply(provider: str, key: str, event_type: str, room_name, user_id, at: datetime | None, joined: bool):
    """Record one join or leave once; unknown rooms and people are acknowledged and ignored."""
    if not isinstance(room_name, str) or at is None or not str(user_id or "").isdigit():
        return error_response(400, "malformed_event", "The event has no room, participant id or time.")
    row = db.session.scalars(sa.select(VideoRoom).where(VideoRoom.name == room_name, VideoRoom.provider == provider))
    room, user = row.first(), db.session.get(User, int(user_id))
    booking = db.session.get(Booking, room.booking_id) if room else None
    if booking is None or user is None:
        log.info("%s webhook for an unknown room or person ignored", provider)
        return jsonify(received=True, ignored="unknown room or participant"), 200
    seen = sa.select(VideoProviderEvent.id).where(
        VideoProviderEvent.provider == provider, VideoProviderEvent.event_key == key
    )
    if db.session.scalar(seen) is not None:
        return jsonify(received=True, duplicate=True), 200
    db.session.add(VideoProviderEvent(provider=provider, event_key=key[:200], event_type=event_type))
    try:
        (record_join if joined else record_leave)(booking, user, at, provider=provider)  # commits the key too
    except PermissionDenied:
        db.session.rollback()
        return jsonify(received=True, ignored="not a participant of this booking"), 200
    except sa.exc.IntegrityError:  # the same event delivered twice at once: the other delivery applied it
        db.session.rollback()
        return jsonify(received=True, duplicate=True), 200
    return jsonify(received=True, duplicate=False), 200


@bp.post("/webhooks/daily")
@public
def daily_webhook():
    """Daily's events, signed with the webhook's hmac secret (401 when the signature is wrong or stale)."""
    secret = current_app.config.get("DAILY_WEBHOOK_SECRET")
    if current_app.config.get("VIDEO_PROVIDER") != "daily" or not secret:
        abort(404)
    headers = request.headers
    if not daily.verify(
        secret, headers.get("X-Webhook-Timestamp"), headers.get("X-Webhook-Signature"), request.get_data()
    ):
        return error_response(401, "bad_signature", "Invalid or stale X-Webhook-Signature.")
    body = _body()
    if body is None:
        return error_response(400, "malformed_event", "The body is not a JSON object.")
    kind = DAILY_EVENTS.get(body.get("type"))
    if kind is None:  # Daily's endpoint check ({"test": "test"}) and events we do not use
        return jsonify(received=True, ignored="event type"), 200
    payload = body.get("payload") if isinstance(body.get("payload"), dict) else {}
    at = _moment(payload.get("joined_at")) if kind == "joined" else _moment(body.get("event_ts"))
    key = body.get("id") if isinstance(body.get("id"), str) else f"{kind}:{payload.get('session_id')}"
    return _apply("daily", key, body["type"], payload.get("room"), payload.get("user_id"), at, kind == "joined")


@bp.post("/webhooks/jitsi/events/<kind>/<event>")
@public
def jitsi_webhook(kind: str, event: str):
    """prosody's event_sync component (api_prefix = <site>/webhooks/jitsi), with our bearer token."""
    token = current_app.config.get("JITSI_WEBHOOK_TOKEN")
    if current_app.config.get("VIDEO_PROVIDER") != "jitsi" or not token:
        abort(404)
    sent = request.headers.get("Authorization", "")
    if not hmac.compare_digest(sent.encode(), f"Bearer {token}".encode()):
        return error_response(401, "bad_token", "Missing or wrong Authorization bearer token.")
    if kind != "occupant" or event not in ("joined", "left"):  # room created/destroyed: not attendance
        return jsonify(received=True, ignored="event type"), 200
    body = _body()
    occupant = body.get("occupant") if body and isinstance(body.get("occupant"), dict) else None
    if occupant is None:
        return error_response(400, "malformed_event", "The event has no occupant.")
    stamp = occupant.get("joined_at") if event == "joined" else occupant.get("left_at")
    key = f"{event}:{body.get('room_name')}:{occupant.get('occupant_jid')}:{stamp}"
    return _apply(
        "jitsi",
        key,
        f"muc-occupant-{event}",
        body.get("room_name"),
        occupant.get("id"),
        _moment(stamp),
        event == "joined",
    )
