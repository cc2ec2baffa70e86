"""Video sessions for bookings (issue 14): the provider chosen by VIDEO_PROVIDER, the join window,
the session page, the signalling relay of the browser-to-browser call, attendance and outcomes."""

from __future__ import annotations

from flask import Flask

from app.core.roles import FINANCE_ROLES


def init_app(app: Flask) -> None:
    """Register the session page, the signalling and attendance API, the provider, the `video_join`
    template global, the `flask video` commands and staff's video queue (its pages and inbox part)."""
    from app.staff.inbox import InboxQueue, register_inbox_queue
    from app.video import api  # noqa: F401 - adds routes to the API blueprint
    from app.video.access import video_join, video_join_now, video_open_sessions, video_outcome, video_session_link
    from app.video.attendance import intervals
    from app.video.cli import video_cli
    from app.video.due import decide_since
    from app.video.provider_config import build_provider
    from app.video.provider_webhooks import bp as webhooks
    from app.video.queries import inbox_keys, inbox_load
    from app.video.staff_views import staff_bp
    from app.video.views import bp

    decide_since(app.config.get("VIDEO_DECIDE_SINCE", ""))  # a bad value refuses to start, naming it
    app.extensions["video_provider"] = build_provider(app.config)
    app.register_blueprint(bp)
    app.register_blueprint(staff_bp, url_prefix="/staff/video")
    app.cli.add_command(video_cli)
    app.register_blueprint(webhooks)
    app.jinja_env.globals["video_join"] = video_join
    app.jinja_env.globals["video_outcome"] = video_outcome
    app.jinja_env.globals["video_join_now"] = video_join_now  # session lists
    app.jinja_env.globals["video_open_sessions"] = video_open_sessions  # the dashboard
    app.jinja_env.globals["video_session_link"] = video_session_link  # the reminder mail
    app.jinja_env.globals["video_timeline"] = intervals
    staff = frozenset(FINANCE_ROLES)
    register_inbox_queue(
        InboxQueue(
            "video_sessions",
            "Video sessions to decide",
            "video_staff.queue",
            staff,
            "VIDEO_QUEUE_TARGET_HOURS",
            inbox_keys,
            inbox_load,
        )
    )
