"""The roles a user may hold, and the role groups routes and services check against."""

from __future__ import annotations

import enum


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
