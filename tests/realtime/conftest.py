"""Fixtures for the live stream: the app served on a port, its bus in-process or on a private Redis."""

from __future__ import annotations

import threading
import time

import pytest
from werkzeug.serving import make_server

from app.realtime import stream
from app.realtime.bus import LocalBus, RedisBus
from tests.ops.private_redis import private_redis


@pytest.fixture(scope="session")
def stream_port(app):
    """The test app served by werkzeug in threads (one per open stream); yields its port."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_port
    server.shutdown()


@pytest.fixture(scope="module")
def redis_server():
    """A private redis-server the tests may stop (never the machine's shared one)."""
    with private_redis() as server:
        yield server


def _wait_streams_closed(before: int, seconds: float = 10) -> None:
    """Every stream the test opened has ended (the test client of other tests may leave responses
    unclosed, whose slots stay taken: counted from the test's start)."""
    deadline = time.monotonic() + seconds
    while stream.SLOTS.open > before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert stream.SLOTS.open <= before, f"{stream.SLOTS.open - before} streams still open after the test"


@pytest.fixture(params=["local", "redis"])
def event_bus(request, app, monkeypatch):
    """The app's bus for one test: in-process (make run) or Redis pub/sub (production)."""
    monkeypatch.setitem(app.config, "STREAM_SECONDS", 2.0)
    if request.param == "local":
        bus = LocalBus(poll_seconds=1.0)
    else:
        bus = RedisBus(request.getfixturevalue("redis_server").url, poll_seconds=1.0)
    monkeypatch.setitem(app.extensions, "event_bus", bus)
    before = stream.SLOTS.open
    yield bus
    _wait_streams_closed(before)
    if isinstance(bus, RedisBus):
        bus.stop()
