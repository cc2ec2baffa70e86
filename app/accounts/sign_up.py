"""Client sign-up that tells nobody which addresses have an account (issue 21).

A new address gets a client account and a welcome mail whose link confirms the address and signs
the person in; an address that has an account gets a mail telling its owner (or a fresh link, when
that account never confirmed). The person at the form sees the same answer either way. Sign-ups are
throttled per typed address and per client address, in the login throttle's window.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app

from app.accounts.account_tokens import issue_token, usable_token, void_tokens
from app.accounts.login_throttle import check_request_throttle
from app.accounts.models import AccountTokenPurpose, Role, SignUpRequest, User
from app.accounts.services import (
    _add_user,
    _check_password_strength,
    find_user,
    normalise_email,
    send_welcome,
    welcome_client,
)
from app.core import audit
from app.core.db import utcnow
from app.core.effects import transaction
from app.core.errors import InvalidState
from app.core.mail import external_url, queue_mail
from app.core.security import hash_password
from app.extensions import db


def _confirm_link(user: User) -> dict:
    hours = current_app.config["SIGN_UP_CONFIRM_HOURS"]
    void_tokens(user, AccountTokenPurpose.SIGN_UP_CONFIRM)  # only the newest link works
    plain = issue_token(user, AccountTokenPurpose.SIGN_UP_CONFIRM, timedelta(hours=hours))
    return {"confirm_url": external_url("accounts.confirm_sign_up", token=plain), "confirm_hours": hours}


def sign_up(email: str, password: str, first_name: str, last_name: str, timezone: str, ip: str) -> None:
    """Create a client account for a new address, or tell the owner of a taken one; same outcome seen."""
    email = normalise_email(email)
    cfg = current_app.config
    check_request_throttle(
        SignUpRequest, email, ip, cfg["SIGN_UP_MAX_PER_ACCOUNT"], cfg["SIGN_UP_MAX_PER_ADDRESS"], "sign-ups"
    )
    _check_password_strength(password)
    with transaction():
        db.session.add(SignUpRequest(email=email, ip_address=ip))
        existing = find_user(email)
        if existing is None:
            user = _add_user(
                email, password, [Role.CLIENT], first_name=first_name, last_name=last_name, timezone=timezone
            )
            welcome_client(user, _confirm_link(user))
            return
        hash_password(password)  # a taken address costs as much as a new one: timing tells nothing
        if not existing.is_active:
            return
        if existing.email_verified_at is None and existing.last_login_at is None and existing.password_hash:
            # a sign-up never confirmed nor used: a fresh link rather than "you already have an account"
            audit.record(None, "user.sign_up_link_resent", existing)
            send_welcome(existing, _confirm_link(existing))
            return
        audit.record(None, "user.sign_up_with_taken_address", existing)
        queue_mail(
            existing.email,
            "sign_up_taken",
            "You already have a Coach Connect account",
            {
                "user": existing,
                "login_url": external_url("accounts.login"),
                "reset_url": external_url("password_reset.request_reset"),
            },
        )


def confirm_sign_up(token_value: str) -> User:
    """Spend the welcome mail's link: the address is confirmed and the caller signs the person in."""
    with transaction():
        token = usable_token(token_value, AccountTokenPurpose.SIGN_UP_CONFIRM, lock=True)
        if token is None or not token.user.is_active:
            raise InvalidState("This link has expired or was already used. Log in with your password instead.")
        user = token.user
        token.used_at = utcnow()
        user.email_verified_at = user.email_verified_at or utcnow()
        audit.record(user, "user.email_confirmed", user)
    return user


def sign_up_token_user(token_value: str) -> User | None:
    """The user a still-usable confirmation link belongs to (for showing its page)."""
    token = usable_token(token_value, AccountTokenPurpose.SIGN_UP_CONFIRM)
    return token.user if token is not None and token.user.is_active else None
