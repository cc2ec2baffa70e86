"""GET /api/stream (Server-Sent Events, one per tab) and GET /api/events (its long-poll fallback)."""

from __future__ import annotations

from flask import Response, current_app, jsonify, request, stream_with_context
from flask_login import current_user

from app.api import bp
from app.api.openapi import document
from app.core.error_pages import error_response
from app.core.errors import ValidationFailed
from app.core.security import login_required
from app.realtime import stream
from app.realtime.bus import bus

RETRY_AFTER_SECONDS = 5
MAX_EVENT_ID = 2**63 - 1  # user_events.id is a BIGINT
SSE_EVENT = {  # one event of the stream, as an SSE parser hands it over (each field a string)
    "type": "object",
    "properties": {
        "id": {"type": "string", "description": "the cursor to resume from (Last-Event-ID)"},
        "event": {"type": "string", "description": "message.new, receipt, unread, notification, resync..."},
        "data": {"type": "string", "description": "the event's JSON payload"},
        "retry": {"type": "integer"},
    },
}
EVENT = {
    "type": "object",
    "required": ["id", "type", "data"],
    "properties": {"id": {"type": "integer"}, "type": {"type": "string"}, "data": {"type": "object"}},
}


def _cursor(raw: str | None, name: str) -> int:
    if raw in (None, ""):
        return 0
    if not (raw.isascii() and raw.isdigit()) or int(raw) > MAX_EVENT_ID:
        raise ValidationFailed(f"{name} is an event id.", fields={name: "an integer event id"})
    return int(raw)


@bp.get("/stream")
@document(
    "Your live events as Server-Sent Events: replayed after Last-Event-ID (or ?last_event_id=), then as "
    "they happen; a `resync` event when the cursor is older than the retention window; a heartbeat "
    "comment every 15 s; the server ends the stream after 5 minutes and the browser resumes",
    parameters=[
        {"name": "Last-Event-ID", "in": "header", "required": False, "schema": {"type": "string"}},
        {"name": "last_event_id", "in": "query", "required": False, "schema": {"type": "string"}},
    ],
    responses={"200": SSE_EVENT, "503": None},
    response_type="text/event-stream",
)
@login_required
def event_stream():
    """One stream per tab; 503 with Retry-After when this worker already holds its cap of streams."""
    header = request.headers.get("Last-Event-ID")
    cursor = _cursor(header, "Last-Event-ID") if header else _cursor(request.args.get("last_event_id"), "last_event_id")
    config = current_app.config
    if not stream.SLOTS.take(config["STREAM_CAP"]):
        return error_response(
            503,
            "too_many_streams",
            "This server holds as many live streams as it can; retry shortly.",
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    release = stream.SLOTS.releaser()
    try:
        body = stream.stream(
            current_user.id, cursor, bus(), config["STREAM_SECONDS"], config["STREAM_HEARTBEAT_SECONDS"]
        )
        response = Response(stream_with_context(body), mimetype="text/event-stream")
    except BaseException:
        release()
        raise
    response.call_on_close(release)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Accel-Buffering"] = "no"  # a proxy must not hold events back
    return response


@bp.get("/events")
@document(
    "Long-poll fallback of /api/stream: your events after `since`, waiting up to 25 s for one",
    parameters=[{"name": "since", "in": "query", "required": False, "schema": {"type": "string"}}],
    responses={
        "200": {
            "type": "object",
            "required": ["events", "cursor", "resync"],
            "properties": {
                "events": {"type": "array", "items": EVENT},
                "cursor": {"type": "integer", "description": "pass it as `since` next time"},
                "resync": {"type": "boolean", "description": "the cursor was too old: refetch, then go on"},
            },
        }
    },
)
@login_required
def events_since():
    """Events after `since`, at most 200; `cursor` is where the next call starts."""
    cursor = _cursor(request.args.get("since"), "since")
    batch = stream.long_poll(current_user.id, cursor, bus(), current_app.config["LONGPOLL_SECONDS"])
    return jsonify(events=[stream.event_json(r) for r in batch.events], cursor=batch.cursor, resync=batch.resync)
