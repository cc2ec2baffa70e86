"""Community domain: groups, discussions and replies (public pages and JSON API)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the public blueprint and the API routes."""
    from app.community.api import bp as api_bp
    from app.community.views import bp

    app.register_blueprint(bp)
    app.register_blueprint(api_bp, url_prefix="/api")
