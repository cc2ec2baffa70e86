"""Idempotent demo data: one staff user per role (TOTP secrets printed), a demo client."""

from __future__ import annotations

import pyotp

from app.accounts import services as accounts
from app.accounts.models import Role
from app.core.db import utcnow
from app.core.effects import commit

DEMO_PASSWORD = "demo-password-1"
DEMO_USERS = [
    ("admin@coachconnect.test", [Role.ADMIN], "Ada", "Admin"),
    ("verifier@coachconnect.test", [Role.VERIFIER], "Vera", "Verifier"),
    ("moderator@coachconnect.test", [Role.MODERATOR], "Mo", "Moderator"),
    ("finance@coachconnect.test", [Role.FINANCE], "Fin", "Ance"),
    ("client@coachconnect.test", [Role.CLIENT], "Cleo", "Client"),
]


def _ensure_user(email: str, roles: list[Role], first: str, last: str):
    user = accounts.find_user(email)
    if user is None:
        user = accounts.create_user(email, roles, DEMO_PASSWORD)
        user.first_name, user.last_name = first, last
        if user.is_staff:  # pre-enrolled so the printed secret works at the second step at once
            user.totp_enabled_at = utcnow()
        commit()
    return user


def seed_demo() -> list[str]:
    """Create what is missing and return the lines to print (logins and TOTP secrets)."""
    lines = [f"Demo logins (password for all: {DEMO_PASSWORD}):"]
    for email, roles, first, last in DEMO_USERS:
        user = _ensure_user(email, roles, first, last)
        line = f"  {', '.join(r.value for r in roles):<10} {email}"
        if user.is_staff:
            line += f"  TOTP secret {user.totp_secret}  (current code: {pyotp.TOTP(user.totp_secret).now()};"
            line += f" or run: flask users otp {email})"
        lines.append(line)
    from app.coaches.demo import seed_demo_coaches

    lines += seed_demo_coaches(DEMO_PASSWORD)
    return lines
