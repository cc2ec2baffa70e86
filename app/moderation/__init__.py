"""Moderation domain: flags, the moderators' queue and console, decisions."""

from __future__ import annotations

from flask import Flask

from app.core.roles import MODERATOR_ROLES


def init_app(app: Flask) -> None:
    """Register the console, the API routes, the inbox's queue, the timeline's sections and the flag for held posts."""
    from app.community.signals import post_held_for_review
    from app.moderation.api import bp as api_bp
    from app.moderation.person_timeline import actions_read, flags_read
    from app.moderation.queries import inbox_keys, inbox_load
    from app.moderation.staff_views import bp as staff_bp
    from app.staff.inbox import InboxQueue, register_inbox_queue
    from app.staff.timeline import TimelineSection, register_timeline_section

    app.register_blueprint(staff_bp, url_prefix="/staff/moderation")
    app.register_blueprint(api_bp, url_prefix="/api")
    register_inbox_queue(
        InboxQueue(
            "moderation",
            "Moderation",
            "moderation_staff.queue",
            frozenset(MODERATOR_ROLES),
            "MODERATION_TARGET_HOURS",
            inbox_keys,
            inbox_load,
        )
    )
    moderators = frozenset(MODERATOR_ROLES)
    register_timeline_section(TimelineSection("flags", "Flags raised and received", moderators, flags_read))
    register_timeline_section(TimelineSection("moderation", "Moderation actions", moderators, actions_read))
    post_held_for_review.connect(_flag_held_post)


def _flag_held_post(post, note: str) -> None:
    """A post community held for review gets a system flag in the moderators' queue."""
    from app.moderation.services import raise_system_flag

    raise_system_flag(post, note)
