"""Redis stops under an open stream and starts again: nothing is lost, the stream polls meanwhile.

The messages come from a second app (as another gunicorn worker would send them), whose wake-ups
can reach the stream only through Redis; while Redis is down only polling can find them.
"""

from __future__ import annotations

import threading
import time

import pytest

from app import create_app
from app.realtime.bus import RedisBus
from config import TestingConfig
from tests.conftest import TEST_DATABASE_URL
from tests.ops.private_redis import redis_outage
from tests.realtime.helpers import Pair
from tests.realtime.sse_client import read_stream


@pytest.fixture
def other_worker(redis_server):
    """Another process's app: same database, its own bus on the same Redis."""
    other = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=TEST_DATABASE_URL, SERVER_NAME="localhost")
    other.extensions["event_bus"] = RedisBus(redis_server.url)
    yield other
    with other.app_context():
        from app.extensions import db

        db.engine.dispose()


def _send_from(other, pair: Pair, body: str) -> tuple[int, float]:
    with other.app_context():
        from app.extensions import db

        message_id = pair.send(body, body)
        db.session.remove()
    return message_id, time.monotonic()


def _arrival(arrived: dict, message_id: int, seconds: float) -> float:
    deadline = time.monotonic() + seconds
    while message_id not in arrived and time.monotonic() < deadline:
        time.sleep(0.02)
    assert message_id in arrived, f"message {message_id} did not arrive within {seconds} s"
    return arrived[message_id]


def test_redis_stops_mid_stream_and_nothing_is_lost(app, stream_port, redis_server, other_worker, monkeypatch):
    monkeypatch.setitem(app.config, "STREAM_SECONDS", 30.0)
    server_bus = RedisBus(redis_server.url, poll_seconds=1.0, heartbeat_seconds=15.0)
    monkeypatch.setitem(app.extensions, "event_bus", server_bus)
    pair = Pair()
    arrived: dict[int, float] = {}
    order: list[int] = []

    def received(event) -> None:
        if event.type != "message.new":
            return  # the coach's notifications travel on the same stream
        order.append(event.data["message"]["id"])
        arrived.setdefault(order[-1], time.monotonic())

    reader = threading.Thread(
        target=read_stream,
        args=(stream_port, pair.headers, 0, 2 + 4 * 18, 40, received),
        daemon=True,
    )
    reader.start()
    assert server_bus.connected.wait(5), "the stream's bus subscribed to Redis"
    sent, latency = [], {}
    for phase in ("before", "outage", "after"):
        with redis_outage(redis_server) if phase == "outage" else _nothing():
            if phase == "outage":
                deadline = time.monotonic() + 5
                while server_bus.connected.is_set() and time.monotonic() < deadline:
                    time.sleep(0.05)
            for i in range(3):
                message_id, at = _send_from(other_worker, pair, f"{phase}-{i}")
                sent.append(message_id)
                latency.setdefault(phase, []).append(_arrival(arrived, message_id, 5) - at)
        if phase == "outage":
            assert server_bus.connected.wait(5), "the bus resubscribed once Redis was back"
    reader.join(timeout=10)
    assert order == sent, "all nine, once each, in order"
    assert max(latency["before"]) < 1.0 and max(latency["after"]) < 1.0, latency  # woken through Redis
    assert max(latency["outage"]) < 2.0, latency  # found by the 1-second re-query
    server_bus.stop()
    other_worker.extensions["event_bus"].stop()


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False
