"""The event stream: replay from a cursor, then wait on the bus; Server-Sent Events framing; the
per-process cap on open streams.

A stream never holds a database connection while it waits: each read closes the session, so a
worker's few pooled connections serve hundreds of idle streams.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

from flask import current_app

from app.core import metrics
from app.extensions import db
from app.realtime import events
from app.realtime.bus import LocalBus
from app.realtime.models import UserEvent
from app.realtime.signals import events_delivered

RETRY_MS = 1000  # how long the browser waits before it reconnects (after the server ends a stream)


@dataclass(frozen=True)
class Batch:
    """What one read found: events after the cursor, or a resync (the cursor is too old)."""

    events: list[UserEvent]
    cursor: int
    resync: bool = False


class StreamSlots:
    """Counts this process's open streams against STREAM_CAP."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.open = 0

    def take(self, cap: int) -> bool:
        """Reserve a slot; False when `cap` streams are already open."""
        with self.lock:
            if self.open >= cap:
                return False
            self.open += 1
        metrics.STREAMS_OPEN.inc()
        return True

    def releaser(self):
        """A function that gives the slot back once, however often it is called."""
        done = threading.Event()

        def release() -> None:
            if done.is_set():
                return
            done.set()
            with self.lock:
                self.open -= 1
            metrics.STREAMS_OPEN.dec()

        return release


SLOTS = StreamSlots()


def read(user_id: int, cursor: int, check: bool = True) -> Batch:
    """The user's events after `cursor`, or a resync to their latest event when the cursor is not
    replayable (older than the retention window, or not theirs). `check=False` for a cursor this
    stream took from the log itself (one statement less per wake-up). Releases the connection."""
    try:
        if check and not events.cursor_is_replayable(user_id, cursor):
            return Batch([], events.head(user_id), resync=True)
        rows = events.after(user_id, cursor)
        for row in rows:
            db.session.expunge(row)
        return Batch(rows, rows[-1].id if rows else cursor)
    finally:
        db.session.close()


def handed_over(user_id: int, rows: list[UserEvent]) -> None:
    """Tell the other domains what reached the user (messaging moves delivery watermarks)."""
    if rows:
        try:
            events_delivered.send(current_app._get_current_object(), user_id=user_id, delivered=rows)
        finally:
            db.session.close()


def event_json(row: UserEvent) -> dict:
    """An event as the long-poll answer lists it."""
    return {"id": row.id, "type": row.type, "data": row.payload}


def sse(row: UserEvent) -> str:
    """One event in Server-Sent Events framing: its id is the cursor the browser resumes from."""
    return f"id: {row.id}\nevent: {row.type}\ndata: {json.dumps(row.payload, separators=(',', ':'))}\n\n"


def sse_resync(cursor: int) -> str:
    """Tell the browser to refetch what it shows, and resume from `cursor`."""
    return f"id: {cursor}\nevent: resync\ndata: {json.dumps({'cursor': cursor})}\n\n"


def stream(user_id: int, cursor: int, bus: LocalBus, seconds: float, heartbeat: float) -> Iterator[str]:
    """Replay after `cursor`, then send each new event as it commits, a comment every `heartbeat`
    seconds, and end after `seconds` (the browser reconnects with Last-Event-ID)."""
    now = time.monotonic()
    deadline, next_beat = now + seconds, now + heartbeat
    yield f"retry: {RETRY_MS}\n\n"
    with bus.subscription(user_id) as subscription:
        checked = False  # the browser's cursor is checked once; later ones come from the log
        while True:
            version = subscription.version()  # before the read: a wake-up after it is not lost
            batch = read(user_id, cursor, check=not checked)
            cursor, checked = batch.cursor, True
            if batch.resync:
                yield sse_resync(cursor)
            elif batch.events:
                yield "".join(sse(row) for row in batch.events)
                handed_over(user_id, batch.events)
                if len(batch.events) == events.PAGE:
                    continue  # more to replay
            now = time.monotonic()
            if now >= deadline:
                return
            if now >= next_beat:
                yield ": heartbeat\n\n"
                next_beat = now + heartbeat
            subscription.wait(version, min(deadline, next_beat) - now)


def long_poll(user_id: int, cursor: int, bus: LocalBus, seconds: float) -> Batch:
    """GET /api/events: what is there after `cursor`, else wait up to `seconds` for something."""
    deadline = time.monotonic() + seconds
    with bus.subscription(user_id) as subscription:
        while True:
            version = subscription.version()
            batch = read(user_id, cursor)
            left = deadline - time.monotonic()
            if batch.resync or batch.events or left <= 0:
                handed_over(user_id, batch.events)
                return batch
            subscription.wait(version, left)
