"""Verification domain: coach applications, certificate checks, the review queue."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the applicant pages, the staff queue, the API routes and the inbox's queue."""
    from app.accounts.models import Role
    from app.staff.inbox import InboxQueue, register_inbox_queue
    from app.verification import api, queries, staff_views, views

    app.register_blueprint(views.bp)
    app.register_blueprint(staff_views.bp)
    app.register_blueprint(api.bp)
    register_inbox_queue(
        InboxQueue(
            "verification",
            "Coach verification",
            "verification_staff.queue",
            frozenset({Role.VERIFIER, Role.ADMIN}),
            "VERIFICATION_TARGET_HOURS",
            queries.inbox_read,
        )
    )
