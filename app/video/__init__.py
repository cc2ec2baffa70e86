"""Video sessions for bookings (issue 14): the provider chosen by VIDEO_PROVIDER, the join window,
the session page and the signalling relay of the browser-to-browser call."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the session page, the signalling API, the provider and the `video_join` template global."""
    from app.video import api  # noqa: F401 - adds routes to the API blueprint
    from app.video.access import video_join
    from app.video.providers import build_provider
    from app.video.views import bp

    app.extensions["video_provider"] = build_provider(app.config)
    app.register_blueprint(bp)
    app.jinja_env.globals["video_join"] = video_join
