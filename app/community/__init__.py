"""Community domain: groups, discussions and replies (public pages and JSON API)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the public blueprint, the API routes and the flag form's template global."""
    from app.community.api import bp as api_bp
    from app.community.forms import flag_form_for
    from app.community.views import bp

    app.jinja_env.globals["flag_form_for"] = flag_form_for
    app.register_blueprint(bp)
    app.register_blueprint(api_bp, url_prefix="/api")
