"""Notification center: the bell on every page, the list, mark read, and the delayed mail."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the pages, the API route, the CLI sweep, the header's live state and the sources."""
    from app.notifications import api  # noqa: F401 - adds routes to the API blueprint
    from app.notifications.cli import notifications_cli
    from app.notifications.live_state import live_state
    from app.notifications.sources import connect_sources
    from app.notifications.views import bp

    app.register_blueprint(bp)
    app.cli.add_command(notifications_cli)
    app.jinja_env.globals["live_state"] = live_state
    connect_sources()
