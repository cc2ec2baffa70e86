"""Real-time delivery: the per-user event log, the bus that wakes waiting streams, GET /api/stream."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Give the app its event bus and the stream's routes."""
    from app.realtime import api  # noqa: F401 - adds routes to the API blueprint
    from app.realtime.bus import init_bus

    init_bus(app)
