"""The roles a user may hold, and the role groups routes and services check against."""

from __future__ import annotations

import enum

from app.core.errors import PermissionDenied


class Role(enum.StrEnum):
    """What a user may do; a user may hold several."""

    CLIENT = "client"
    COACH = "coach"
    VERIFIER = "verifier"
    MODERATOR = "moderator"
    FINANCE = "finance"
    ADMIN = "admin"


STAFF_ROLES = frozenset({Role.VERIFIER, Role.MODERATOR, Role.FINANCE, Role.ADMIN})
# Each staff desk together with the admins, who may do whatever staff do.
REVIEWER_ROLES = (Role.VERIFIER, Role.ADMIN)
MODERATOR_ROLES = (Role.MODERATOR, Role.ADMIN)
FINANCE_ROLES = (Role.FINANCE, Role.ADMIN)


def require_role(actor, roles, message: str) -> None:
    """Refuse (PermissionDenied, with `message`) an actor who is absent or holds none of `roles`."""
    if actor is None or not actor.has_role(*roles):
        raise PermissionDenied(message)
