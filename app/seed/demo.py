"""Idempotent demo data: one staff user per role (TOTP secrets printed), clients, coaches,
applications with certificate PDFs, community discussions with flags, bookings and payments.

Rows are written through the models directly (data setup, not staff actions); each part
creates only what is missing, keyed by e-mail, slug or idempotency key, so a second run
changes nothing. Randomness is seeded so every run builds the same data.
"""

from __future__ import annotations

import pyotp

from app.accounts import services as accounts
from app.accounts.models import Role, User
from app.core.db import utcnow
from app.core.effects import commit
from app.core.security import hash_password
from app.seed.demo_applications import run_pending_checks, seed_applications
from app.seed.demo_bookings import seed_bookings
from app.seed.demo_coaches import COACH_EMAIL, ensure_user, seed_coaches
from app.seed.demo_community import seed_community
from app.seed.demo_video import seed_video_outcomes

DEMO_PASSWORD = "demo-password-1"
DEMO_USERS = [
    ("admin@coachconnect.example", [Role.ADMIN], "Ada", "Admin"),
    ("verifier@coachconnect.example", [Role.VERIFIER], "Vera", "Verifier"),
    ("moderator@coachconnect.example", [Role.MODERATOR], "Mo", "Moderator"),
    ("finance@coachconnect.example", [Role.FINANCE], "Fin", "Ance"),
    ("client@coachconnect.example", [Role.CLIENT], "Cleo", "Client"),
]
EXTRA_CLIENTS = [(f"client{i:02d}@coachconnect.example", f"Client{i:02d}") for i in range(1, 11)]


def _ensure_user(email: str, roles: list[Role], first: str, last: str):
    user = accounts.find_user(email)
    if user is None:
        user = accounts.create_user(email, roles, DEMO_PASSWORD)
        user.first_name, user.last_name = first, last
        if user.is_staff:  # pre-enrolled so the printed secret works at the second step at once
            user.totp_enabled_at = utcnow()
        commit()
    return user


def _seed_domain_data(users: dict[str, User]) -> None:
    """Coaches, applications, community and bookings: each part adds only what is missing."""
    password_hash = hash_password(DEMO_PASSWORD)  # hashed once: argon2 is slow on purpose
    clients = [users["client@coachconnect.example"]]
    for email, last in EXTRA_CLIENTS:
        clients.append(ensure_user(email, [Role.CLIENT], "Demo", last, "Europe/London", password_hash))
    profiles = seed_coaches(password_hash)
    seed_applications(password_hash, users["verifier@coachconnect.example"])
    seed_community([p.user for p in profiles], clients)
    seed_bookings(profiles, clients, users["finance@coachconnect.example"])
    seed_video_outcomes()
    commit()
    run_pending_checks()  # after the commit: the checks job commits each application's results


def seed_demo() -> list[str]:
    """Create what is missing and return the lines to print (logins and TOTP secrets)."""
    lines = [f"Demo logins (password for all: {DEMO_PASSWORD}):"]
    users = {}
    for email, roles, first, last in DEMO_USERS:
        user = users[email] = _ensure_user(email, roles, first, last)
        line = f"  {', '.join(r.value for r in roles):<10} {email}"
        if user.is_staff:
            line += f"  TOTP secret {user.totp_secret}  (current code: {pyotp.TOTP(user.totp_secret).now()};"
            line += f" or run: flask users otp {email})"
        lines.append(line)
    _seed_domain_data(users)
    lines.append(f"  coach      {COACH_EMAIL.format(1)} ... {COACH_EMAIL.format(50)}")
    lines.append("  applicant  applicant01@coachconnect.example ... applicant30@coachconnect.example")
    lines.append("  client     client01@coachconnect.example ... client10@coachconnect.example")
    from app.coaches.search import refresh_all

    refresh_all()  # every coach searchable with its price and next free slot
    return lines
