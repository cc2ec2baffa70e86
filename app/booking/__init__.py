"""Booking domain: availability, slots, bookings, reminders; pages, API and CLI."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def mail_time(value: datetime | None, zone: str | None) -> str:
    """A UTC time shown in a named zone (mails have no logged-in viewer)."""
    if value is None:
        return "—"
    try:
        tz = ZoneInfo(zone or "UTC")
    except ZoneInfoNotFoundError:
        tz = ZoneInfo("UTC")
    local = value.astimezone(tz)
    return f"{local.strftime('%A %d %B %Y, %H:%M')} {local.tzname()} ({tz.key})"


def init_app(app) -> None:
    """Register the booking pages, the coach's availability pages, the API routes and the CLI."""
    from app.booking import api  # noqa: F401 - adds routes to the API blueprint
    from app.booking.cli import booking_cli
    from app.booking.coach_views import bp as coach_bp
    from app.booking.views import bp

    app.register_blueprint(bp)
    app.register_blueprint(coach_bp)
    app.jinja_env.filters["mail_time"] = mail_time
    app.cli.add_command(booking_cli)
