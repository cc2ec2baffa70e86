"""GET /api/stream: replay after Last-Event-ID across random disconnects, resync, heartbeat, end, cap."""

from __future__ import annotations

import random
import threading
import time
from datetime import timedelta

import sqlalchemy as sa

from app.core.db import utcnow
from app.extensions import db
from app.realtime import events, stream
from app.realtime.models import UserEvent
from tests.factories import UserFactory
from tests.realtime.helpers import Pair, produce, produce_batches
from tests.realtime.sse_client import read_stream
from tests.security_clients import bearer_for

COUNT = 1000
STALL = 30  # seconds without a new event before the reader gives up


def test_a_thousand_messages_reach_a_reader_that_keeps_hanging_up(app, stream_port, event_bus):
    pair = Pair()
    sent: list[int] = []
    done = threading.Event()
    producer = produce_batches(app, pair, COUNT, sent, done)
    rng = random.Random(13)
    seen_events: list[int] = []
    seen_messages: list[int] = []
    cursor, connections, last_progress = None, 0, time.monotonic()
    # Bounded by progress, not by the clock: a slow machine is slow, not red.
    while not (done.is_set() and len(seen_messages) >= len(sent)) and time.monotonic() - last_progress < STALL:
        reading = read_stream(stream_port, pair.headers, cursor, max_lines=rng.randint(1, 80))
        assert reading.status == 200
        connections += 1
        for event in reading.events:
            seen_events.append(event.id)
            if event.type == "message.new":
                seen_messages.append(event.data["message"]["id"])
        if reading.events:
            cursor, last_progress = reading.events[-1].id, time.monotonic()
    producer.join(timeout=STALL)
    assert len(sent) == COUNT
    assert seen_messages == sent, "every message once, in the order sent"
    assert seen_events == sorted(set(seen_events)), "event ids strictly increasing: none twice, none out of order"
    assert connections > 50


def test_a_message_sent_while_the_stream_waits_arrives_at_once(app, stream_port, event_bus):
    pair = Pair()
    head = events.head(pair.coach_id)
    sent: list[int] = []
    committed: list[float] = []
    arrived: list[float] = []
    producer = produce(app, pair, 1, sent, pause=0, committed_at=committed)
    reading = read_stream(
        stream_port, pair.headers, head, max_lines=6, on_event=lambda e: arrived.append(time.monotonic())
    )  # retry + blank, then id, event, data, blank
    producer.join()
    assert [e.data["message"]["id"] for e in reading.events] == sent, reading.body
    # Woken by the bus: well within the 1-second re-query a stream falls back to without one.
    assert arrived[0] - committed[0] < 0.6


def test_a_cursor_older_than_the_window_gets_a_resync(app, stream_port, event_bus):
    pair = Pair()
    pair.send("last week")
    old_cursor = events.head(pair.coach_id)
    db.session.execute(
        sa.update(UserEvent).where(UserEvent.id == old_cursor).values(created_at=utcnow() - timedelta(days=8))
    )
    db.session.commit()
    pair.send("today")
    reading = read_stream(stream_port, pair.headers, old_cursor)
    assert [e.type for e in reading.events] == ["resync"], "the page refetches instead of missing events"
    assert reading.events[0].id == reading.events[0].data["cursor"] == events.head(pair.coach_id)
    recent = read_stream(stream_port, pair.headers)
    kept = [e.type for e in recent.events]
    assert kept == ["message.new", "notification"] * 2, "no cursor: all that is kept"
    foreign = read_stream(stream_port, bearer_for(UserFactory()), events.head(pair.coach_id))
    assert [e.type for e in foreign.events] == ["resync"], "another user's event id is no cursor"


def test_a_stream_carries_only_its_users_events(app, stream_port, event_bus):
    pair, other = Pair(), Pair()
    other.send("not for you")
    mine = pair.send("for you")
    reading = read_stream(stream_port, pair.headers, 0)
    assert [e.data["message"]["id"] for e in reading.events if e.type == "message.new"] == [mine]
    assert {e.data["notification"]["link"] for e in reading.events if e.type == "notification"} == {
        f"/messages/{pair.thread_id}"
    }


def test_heartbeat_and_the_server_ends_the_stream(app, stream_port, event_bus, monkeypatch):
    monkeypatch.setitem(app.config, "STREAM_HEARTBEAT_SECONDS", 0.3)
    pair = Pair()
    started = time.monotonic()
    reading = read_stream(stream_port, pair.headers)
    assert reading.ended_by_server and 1.9 < time.monotonic() - started < 4
    assert reading.comments >= 4
    assert reading.headers["Content-Type"].startswith("text/event-stream")


def test_past_the_cap_a_stream_is_refused_with_retry_after(app, stream_port, event_bus, monkeypatch):
    pair = Pair()
    monkeypatch.setitem(app.config, "STREAM_CAP", stream.SLOTS.open)
    refused = read_stream(stream_port, pair.headers)
    assert (refused.status, refused.headers.get("Retry-After")) == (503, "5")
    monkeypatch.setitem(app.config, "STREAM_CAP", stream.SLOTS.open + 1)
    assert read_stream(stream_port, pair.headers, max_lines=1).status == 200


def test_long_poll_returns_what_is_there_and_waits_for_the_rest(app, client, event_bus, monkeypatch):
    monkeypatch.setitem(app.config, "LONGPOLL_SECONDS", 3)
    pair = Pair()
    first = pair.send("hello")
    answer = client.get("/api/events?since=0", headers=pair.headers).get_json()
    assert [e["type"] for e in answer["events"]] == ["message.new", "notification"] and not answer["resync"]
    assert answer["events"][0]["data"]["message"]["id"] == first
    sent: list[int] = []
    producer = produce(app, pair, 1, sent, pause=0)
    started = time.monotonic()
    later = client.get(f"/api/events?since={answer['cursor']}", headers=pair.headers).get_json()
    producer.join()
    assert later["events"][0]["data"]["message"]["id"] == sent[0] and time.monotonic() - started < 2.5
    assert client.get("/api/events?since=x", headers=pair.headers).status_code == 400
