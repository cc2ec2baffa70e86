"""Moderation domain: flags, the moderators' queue and console, decisions."""

from __future__ import annotations

from flask import Flask


def queue_summary():
    """Pending items and the oldest one, for the console's home page."""
    import sqlalchemy as sa

    from app.extensions import db
    from app.moderation.models import ItemStatus, ModerationItem
    from app.staff.navigation import QueueSummary

    count, oldest = db.session.execute(
        sa.select(sa.func.count(), sa.func.min(ModerationItem.first_flagged_at)).where(
            ModerationItem.status == ItemStatus.PENDING
        )
    ).one()
    return QueueSummary("Moderation", "moderation_staff.queue", count, oldest)


def init_app(app: Flask) -> None:
    """Register the console, the API routes, the queue summary and the flag for held posts."""
    from app.accounts.models import Role
    from app.community.signals import post_held_for_review
    from app.moderation.api import bp as api_bp
    from app.moderation.staff_views import bp as staff_bp
    from app.staff.navigation import register_queue

    app.register_blueprint(staff_bp, url_prefix="/staff/moderation")
    app.register_blueprint(api_bp, url_prefix="/api")
    register_queue("moderation", frozenset({Role.MODERATOR, Role.ADMIN}), queue_summary)
    post_held_for_review.connect(_flag_held_post)


def _flag_held_post(post, note: str) -> None:
    """A post community held for review gets a system flag in the moderators' queue."""
    from app.moderation.services import raise_system_flag

    raise_system_flag(post, note)
