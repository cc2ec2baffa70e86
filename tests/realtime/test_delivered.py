"""Delivered, not yet seen: a message the recipient's stream handed over moves their delivered
watermark (never the read one) and tells the sender by a `receipt` event."""

from __future__ import annotations

import time

import sqlalchemy as sa

from app.extensions import db
from app.messaging.models import ThreadParticipant
from app.realtime import events
from app.realtime.models import UserEvent
from tests.realtime.helpers import Pair
from tests.realtime.sse_client import read_stream


def _marks(thread_id: int, user_id: int) -> tuple[int, int]:
    db.session.rollback()  # a fresh snapshot: the stream's thread committed in its own session
    row = db.session.get(ThreadParticipant, (thread_id, user_id), populate_existing=True)
    return row.last_delivered_message_id, row.last_read_message_id


def test_what_the_stream_hands_over_is_delivered_and_the_sender_hears_it(app, stream_port, event_bus):
    pair = Pair()
    head = events.head(pair.coach_id)
    first, second = pair.send("On my way"), pair.send("Five minutes")
    db.session.commit()
    assert _marks(pair.thread_id, pair.coach_id) == (0, 0)
    reading = read_stream(
        stream_port, pair.headers, head, max_lines=18
    )  # retry + blank, then per message its message.new and notification events (four lines each)
    assert [e.data["message"]["id"] for e in reading.events if e.type == "message.new"] == [first, second]
    deadline = time.monotonic() + 10  # the stream moves the watermark after writing the events
    while _marks(pair.thread_id, pair.coach_id)[0] != second and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _marks(pair.thread_id, pair.coach_id) == (second, 0), "delivered up to the latest, read nothing"
    receipts = db.session.scalars(
        sa.select(UserEvent).where(UserEvent.user_id == pair.client_id, UserEvent.type == "receipt")
    ).all()
    assert [(r.payload["user_id"], r.payload["last_delivered_message_id"], r.payload["last_read_message_id"])
            for r in receipts] == [(pair.coach_id, second, 0)]  # fmt: skip
