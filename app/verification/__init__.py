"""Verification domain: coach applications, certificate checks, the review queue."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the applicant pages, the staff queue, the API routes and the console summary."""
    from app.accounts.models import Role
    from app.staff.navigation import register_queue
    from app.verification import api, queries, staff_views, views

    app.register_blueprint(views.bp)
    app.register_blueprint(staff_views.bp)
    app.register_blueprint(api.bp)
    register_queue("verification", frozenset({Role.VERIFIER, Role.ADMIN}), queries.summary)
