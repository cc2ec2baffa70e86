"""Messaging: one thread between a client and a coach, and its messages."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the messages pages."""
    from app.messaging.views import bp

    app.register_blueprint(bp)
