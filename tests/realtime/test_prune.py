"""The event log keeps EVENTS_RETENTION_DAYS: the clock's `flask realtime prune-events` deletes what is
older, and a stream resuming from a deleted event gets a resync instead of a gap."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from app.core.db import utcnow
from app.extensions import db
from app.realtime import events
from app.realtime.models import UserEvent
from tests.realtime.helpers import Pair
from tests.realtime.sse_client import read_stream
from workers.clock import PERIODIC


def test_events_past_the_window_are_deleted_and_their_cursor_resyncs(app, stream_port, event_bus):
    assert (3600, ["realtime", "prune-events"]) in PERIODIC
    pair = Pair()
    pair.send("last week")
    old_cursor = events.head(pair.coach_id)
    db.session.execute(sa.update(UserEvent).values(created_at=utcnow() - timedelta(days=8)))
    db.session.commit()
    pair.send("today")
    kept = UserEvent.query.count()
    result = app.test_cli_runner().invoke(args=["realtime", "prune-events"])
    assert result.exit_code == 0, result.output
    assert UserEvent.query.count() < kept and result.output.startswith("deleted ")
    assert all(e.created_at > utcnow() - timedelta(days=7) for e in UserEvent.query)
    reading = read_stream(stream_port, pair.headers, old_cursor)
    assert [e.type for e in reading.events] == ["resync"]
