"""GET /api/stream (Server-Sent Events, one per tab) and GET /api/events (its long-poll fallback)."""

from __future__ import annotations

from flask import Response, current_app, jsonify, request, stream_with_context
from flask_login import current_user

from app.api import bp
from app.api.spec import args, operation
from app.core.error_pages import error_response
from app.core.errors import ValidationFailed
from app.core.security import login_required
from app.realtime import stream
from app.realtime.bus import bus
from app.realtime.schemas import LAST_EVENT_ID, SSE_EVENT, EventBatch, PollQuery, StreamQuery

RETRY_AFTER_SECONDS = 5
MAX_EVENT_ID = 2**63 - 1  # user_events.id is a BIGINT


def _cursor(raw: str | None, name: str) -> int:
    if raw in (None, ""):
        return 0
    if not (raw.isascii() and raw.isdigit()) or int(raw) > MAX_EVENT_ID:
        raise ValidationFailed(f"{name} is an event id.", fields={name: "an integer event id"})
    return int(raw)


@bp.get("/stream")
@login_required
@operation(
    "Your live events as Server-Sent Events: replayed after Last-Event-ID (or ?last_event_id=), then as "
    "they happen; a `resync` event when the cursor is older than the retention window; a heartbeat "
    "comment every 15 s; the server ends the stream after 5 minutes and the browser resumes",
    query=StreamQuery,
    parameters=[LAST_EVENT_ID],
    resp={200: SSE_EVENT, 503: None},
    response_type="text/event-stream",
)
def event_stream():
    """One stream per tab; 503 with Retry-After when this worker already holds its cap of streams."""
    header = request.headers.get("Last-Event-ID")
    cursor = _cursor(header, "Last-Event-ID") if header else _cursor(args().last_event_id, "last_event_id")
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
@login_required
@operation(
    "Long-poll fallback of /api/stream: your events after `since`, waiting up to 25 s for one",
    query=PollQuery,
    resp={200: EventBatch},
)
def events_since():
    """Events after `since`, at most 200; `cursor` is where the next call starts."""
    cursor = _cursor(args().since, "since")
    batch = stream.long_poll(current_user.id, cursor, bus(), current_app.config["LONGPOLL_SECONDS"])
    return jsonify(events=[stream.event_json(r) for r in batch.events], cursor=batch.cursor, resync=batch.resync)
