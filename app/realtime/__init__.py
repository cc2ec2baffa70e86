"""Real-time delivery: the per-user event log, the bus that wakes waiting streams, GET /api/stream."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Give the app its event bus, the stream's routes and the pruning command."""
    from app.realtime import api  # noqa: F401 - adds routes to the API blueprint
    from app.realtime.bus import init_bus
    from app.realtime.cli import realtime_cli

    init_bus(app)
    app.cli.add_command(realtime_cli)
