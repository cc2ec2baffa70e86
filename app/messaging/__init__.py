"""Messaging: a client's enquiry thread with a coach and a thread per booking, with live delivery."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the messages pages, API routes and CLI; open a booking's thread when it is confirmed."""
    from app.booking.signals import booking_confirmed
    from app.messaging import api  # noqa: F401 - adds routes to the API blueprint
    from app.messaging.cli import messaging_cli
    from app.messaging.services import on_events_delivered
    from app.messaging.threads import on_booking_confirmed
    from app.messaging.views import bp
    from app.realtime.signals import events_delivered

    app.register_blueprint(bp)
    app.cli.add_command(messaging_cli)
    booking_confirmed.connect(on_booking_confirmed)
    events_delivered.connect(on_events_delivered)
