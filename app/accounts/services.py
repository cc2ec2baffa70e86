"""Account state changes: sign-up, login checks, TOTP, recovery codes, tokens and roles."""

from __future__ import annotations

from functools import cache

import sqlalchemy as sa

from app.accounts.login_throttle import check_throttle, record_failure
from app.accounts.models import STAFF_ROLES, LoginAttempt, RecoveryCode, Role, User, UserRole
from app.accounts.session_store import current_session_id
from app.accounts.sessions import drop_sessions
from app.accounts.tokens import create_api_token, revoke_api_token, user_for_token  # noqa: F401 - callers import them here
from app.analytics import tracking
from app.core import audit
from app.core.db import utcnow
from app.core.effects import commit
from app.core.errors import Conflict, PermissionDenied, ValidationFailed
from app.core.mail import external_url, queue_mail
from app.core.security import (
    hash_password,
    new_recovery_codes,
    new_totp_secret,
    sha256_hex,
    totp_matching_step,
    verify_password,
)
from app.extensions import db

MIN_PASSWORD_LENGTH = 10


def normalise_email(email: str) -> str:
    """Lower-cased, trimmed e-mail address."""
    return (email or "").strip().lower()


def find_user(email: str) -> User | None:
    """The user with this e-mail address, if any."""
    return db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))


def _check_password_strength(password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(
            f"Use at least {MIN_PASSWORD_LENGTH} characters.",
            fields={"password": f"Use at least {MIN_PASSWORD_LENGTH} characters."},
        )


def _add_user(email: str, password: str | None, roles: list[Role], **profile) -> User:
    email = normalise_email(email)
    if find_user(email):
        raise Conflict("An account with this e-mail address already exists.", fields={"email": "Already registered."})
    user = User(email=email, **profile)
    if password is not None:
        _check_password_strength(password)
        user.password_hash = hash_password(password)
    user.role_rows = [UserRole(role=Role(r)) for r in roles]
    db.session.add(user)
    db.session.flush()
    return user


def welcome_client(user: User, confirm: dict | None = None, **how) -> None:
    """A new client account (sign-up or Google): audited, counted and welcomed by mail (never commits).

    `confirm` holds the welcome mail's confirmation link (`confirm_url`, `confirm_hours`) for a sign-up.
    """
    audit.record(user, "user.registered", user, after={"email": user.email, "roles": ["client"], **how})
    tracking.track(tracking.SIGN_UP, user=user)
    send_welcome(user, confirm)


def send_welcome(user: User, confirm: dict | None = None) -> None:
    """Queue the welcome mail, with the link that confirms the address when given."""
    context = {"user": user, "login_url": external_url("accounts.login"), **(confirm or {})}
    queue_mail(user.email, "welcome", "Welcome to Coach Connect", context)


def create_user(
    email: str,
    roles: list[Role],
    password: str | None,
    actor: User | None = None,
    first_name: str | None = None,
    last_name: str | None = None,
) -> User:
    """Create an account with roles (CLI or admin); staff roles need an admin actor unless from the CLI."""
    if actor is not None and not actor.has_role(Role.ADMIN):
        raise PermissionDenied("Only admins create accounts.")
    profile = {k: v.strip() for k, v in (("first_name", first_name), ("last_name", last_name)) if v and v.strip()}
    user = _add_user(email, password, roles, **profile)
    if user.is_staff:
        user.totp_secret = new_totp_secret()
    audit.record(actor, "user.created", user, after={"email": user.email, "roles": sorted(roles)})
    commit()
    return user


def set_roles(user: User, roles: list[Role], actor: User) -> User:
    """Replace a user's roles (admins only); removing your own admin role is refused."""
    if not actor.has_role(Role.ADMIN):
        raise PermissionDenied("Only admins change roles.")
    new = {Role(r) for r in roles}
    if user.id == actor.id and Role.ADMIN not in new:
        raise ValidationFailed("You cannot remove your own admin role.")
    before = sorted(user.roles)
    if (new & STAFF_ROLES) - user.roles:  # a staff role gained: every session logs in again, with TOTP
        drop_sessions(user, keep=current_session_id() if user.id == actor.id else None)
    user.role_rows = [r for r in user.role_rows if r.role in new] + [UserRole(role=r) for r in new - user.roles]
    if new & STAFF_ROLES and not user.totp_secret:
        user.totp_secret = new_totp_secret()
    audit.record(actor, "user.roles_changed", user, before={"roles": before}, after={"roles": sorted(new)})
    commit()
    return user


def set_enabled(user: User, enabled: bool, actor: User) -> User:
    """Disable or re-enable an account (admins only)."""
    if not actor.has_role(Role.ADMIN):
        raise PermissionDenied("Only admins disable accounts.")
    if user.id == actor.id:
        raise ValidationFailed("You cannot disable your own account.")
    before = user.is_enabled
    user.is_enabled = enabled
    if not enabled:
        drop_sessions(user)  # logged out at once, everywhere
    audit.record(
        actor,
        "user.enabled" if enabled else "user.disabled",
        user,
        before={"is_enabled": before},
        after={"is_enabled": enabled},
    )
    commit()
    return user


# --- Login --------------------------------------------------------------------------------


@cache
def _dummy_hash() -> str:
    return hash_password("no account has this password")


def authenticate(email: str, password: str, ip: str, device_user_id: int | None = None) -> User:
    """Check e-mail and password (first factor); records the attempt; raises on failure.

    `device_user_id` is the account this browser signed in to before (the known-device cookie).
    """
    email = normalise_email(email)
    user = find_user(email)
    check_throttle(email, ip, known_device=user is not None and device_user_id == user.id)
    # Unknown addresses cost as much as known ones, so timing does not reveal who has an account.
    password_ok = verify_password(user.password_hash if user else _dummy_hash(), password)
    ok = user is not None and password_ok and user.is_active
    if ok:
        db.session.add(LoginAttempt(email=email, ip_address=ip, succeeded=True))
    else:
        record_failure(email, ip, user)
    commit()
    if not ok:
        raise PermissionDenied("Wrong e-mail address or password.", code="invalid_credentials")
    return user


def record_login(user: User) -> None:
    """Note a completed login (after the second factor, for staff)."""
    user.last_login_at = utcnow()
    audit.record(user, "user.login", user)
    tracking.track(tracking.LOGIN, user=user, staff=user.is_staff)
    commit()


def confirm_totp_enrolment(user: User, code: str, ip: str, known_device: bool = False) -> list[str]:
    """Enable TOTP when the first code matches; returns fresh recovery codes (shown once).

    Wrong codes count towards the login throttle, as at the second login step.
    """
    check_throttle(user.email, ip, known_device=known_device)
    if user.totp_secret is None:
        user.totp_secret = new_totp_secret()
    step = totp_matching_step(user.totp_secret, code)
    if step is None:
        record_failure(user.email, ip, user)
        commit()
        raise ValidationFailed(
            "That code does not match. Check the time on your phone and try again.",
            fields={"code": "Code does not match."},
        )
    user.totp_enabled_at = utcnow()
    user.totp_last_step = step
    codes = _replace_recovery_codes(user)
    audit.record(user, "user.totp_enrolled", user)
    commit()
    return codes


def _replace_recovery_codes(user: User) -> list[str]:
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = new_recovery_codes()
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=sha256_hex(c)) for c in codes)
    return codes


def regenerate_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes; the old ones stop working."""
    codes = _replace_recovery_codes(user)
    audit.record(user, "user.recovery_codes_regenerated", user)
    commit()
    return codes


def verify_second_factor(user: User, code: str, ip: str, known_device: bool = False) -> str:
    """Accept a TOTP code (each time step once) or an unused recovery code; returns which."""
    check_throttle(user.email, ip, known_device=known_device)
    db.session.refresh(user, with_for_update=True)  # two requests with one code: only one wins
    code = (code or "").strip().lower()
    step = totp_matching_step(user.totp_secret, code) if user.totp_secret else None
    if step is not None and (user.totp_last_step is None or step > user.totp_last_step):
        user.totp_last_step = step
        commit()
        return "totp"
    recovery = db.session.scalar(
        sa.select(RecoveryCode).where(
            RecoveryCode.user_id == user.id, RecoveryCode.code_hash == sha256_hex(code), RecoveryCode.used_at.is_(None)
        )
    )
    if recovery is not None:
        recovery.used_at = utcnow()
        audit.record(user, "user.recovery_code_used", user)
        commit()
        return "recovery"
    record_failure(user.email, ip, user)
    commit()
    raise PermissionDenied("That code is not valid.", code="invalid_code")


def ensure_totp_secret(user: User) -> str:
    """Give a staff user a TOTP secret to enrol with, if they have none."""
    if user.totp_secret is None:
        user.totp_secret = new_totp_secret()
        commit()
    return user.totp_secret
