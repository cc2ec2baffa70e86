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
    """Register the booking and availability pages, API routes, CLI and the confirming of paid bookings."""
    from app.booking import api  # noqa: F401 - adds routes to the API blueprint
    from app.booking.cli import booking_cli
    from app.booking.coach_views import bp as coach_bp
    from app.booking.views import bp
    from app.payments.signals import payment_succeeded

    app.register_blueprint(bp)
    app.register_blueprint(coach_bp)
    app.jinja_env.filters["mail_time"] = mail_time
    app.cli.add_command(booking_cli)
    payment_succeeded.connect(_confirm_when_paid)


def _confirm_when_paid(payment) -> None:
    """A paid booking is confirmed by a job after the payment's commit."""
    from app.core.jobs import enqueue_after_commit

    enqueue_after_commit("workers.bookings.confirm_paid_booking", payment.booking_id, queue="bookings")
