"""Verification domain: coach applications, certificate checks, the review queue."""

from __future__ import annotations

from flask import Flask

from app.core.roles import REVIEWER_ROLES


def init_app(app: Flask) -> None:
    """Register the applicant pages, the staff queue, the API routes, the inbox's queue and the timeline's section."""
    from app.staff.inbox import InboxQueue, register_inbox_queue
    from app.staff.timeline import TimelineSection, register_timeline_section
    from app.verification import api, queries, staff_views, views
    from app.verification.person_timeline import applications_read

    app.register_blueprint(views.bp)
    app.register_blueprint(staff_views.bp)
    app.register_blueprint(api.bp)
    register_inbox_queue(
        InboxQueue(
            "verification",
            "Coach verification",
            "verification_staff.queue",
            frozenset(REVIEWER_ROLES),
            "VERIFICATION_TARGET_HOURS",
            queries.inbox_keys,
            queries.inbox_load,
        )
    )
    register_timeline_section(
        TimelineSection("applications", "Applications and decisions", frozenset(REVIEWER_ROLES), applications_read)
    )
