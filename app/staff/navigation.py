"""The console's sections: the role navigation of its layout (queues register in app.staff.inbox)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from app.accounts.models import Role


@dataclass(frozen=True)
class Section:
    """A navigation entry shown to holders of any of `roles`."""

    title: str
    endpoint: str
    roles: frozenset[Role]
    shortcut: str = ""


SECTIONS: list[Section] = [
    Section("Home", "staff.home", frozenset({Role.VERIFIER, Role.MODERATOR, Role.FINANCE, Role.ADMIN}), "g h"),
    Section("Verification", "verification_staff.queue", frozenset({Role.VERIFIER, Role.ADMIN}), "g v"),
    Section("Moderation", "moderation_staff.queue", frozenset({Role.MODERATOR, Role.ADMIN}), "g m"),
    Section("Finance", "finance_staff.payments", frozenset({Role.FINANCE, Role.ADMIN}), "g f"),
    Section("Video sessions", "video_staff.queue", frozenset({Role.FINANCE, Role.ADMIN}), "g s"),
    Section("Analytics", "analytics_staff.dashboard", frozenset({Role.FINANCE, Role.ADMIN}), "g a"),
    Section(
        "Reports", "reports_staff.index", frozenset({Role.FINANCE, Role.ADMIN, Role.VERIFIER, Role.MODERATOR}), "g r"
    ),
    Section("Accounts", "staff.users", frozenset({Role.ADMIN}), "g u"),
    Section("Audit log", "staff.audit", frozenset({Role.ADMIN}), "g l"),
    Section("Outbox", "staff.outbox", frozenset({Role.ADMIN}), "g o"),
    Section("Jobs", "staff.jobs", frozenset({Role.ADMIN}), "g j"),
    Section("System", "ops_staff.system_page", frozenset({Role.ADMIN}), "g y"),
    Section("Data (admin)", "admin.index", frozenset({Role.ADMIN}), ""),
]


def sections_for(user) -> list[Section]:
    """The sections this user may open whose views exist in this build."""
    views = current_app.view_functions
    return [s for s in SECTIONS if s.endpoint in views and user.has_role(*s.roles)]
