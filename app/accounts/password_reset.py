"""Password reset by mail: a single-use link valid for an hour, stored hashed.

The request answers the same whether or not the address has an account, and it is throttled by
the typed address and by the client's address alike (known or not), in the login throttle's window.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app

from app.accounts.account_tokens import issue_token, usable_token, void_tokens
from app.accounts.login_throttle import check_request_throttle
from app.accounts.models import AccountTokenPurpose, ResetRequest, User
from app.accounts.services import find_user, normalise_email
from app.accounts.settings_services import replace_password
from app.core import audit
from app.core.db import utcnow
from app.core.effects import transaction
from app.core.errors import InvalidState
from app.core.mail import external_url, queue_mail
from app.extensions import db

RESET_LIFETIME = timedelta(hours=1)


def request_password_reset(email: str, ip: str) -> None:
    """Mail a reset link when an active account uses this address; otherwise do nothing visible."""
    email = normalise_email(email)
    cfg = current_app.config
    check_request_throttle(
        ResetRequest, email, ip, cfg["RESET_MAX_PER_ACCOUNT"], cfg["RESET_MAX_PER_ADDRESS"], "reset requests"
    )
    with transaction():
        db.session.add(ResetRequest(email=email, ip_address=ip))
        user = find_user(email)
        if user is None or not user.is_active:
            return
        void_tokens(user, AccountTokenPurpose.PASSWORD_RESET)  # only the newest link works
        plain = issue_token(user, AccountTokenPurpose.PASSWORD_RESET, RESET_LIFETIME)
        queue_mail(
            user.email,
            "password_reset",
            "Reset your Coach Connect password",
            {"user": user, "reset_url": external_url("password_reset.choose_password", token=plain)},
        )
        audit.record(None, "user.password_reset_requested", user)


def reset_token_user(token_value: str) -> User | None:
    """The user a still-usable reset link belongs to (for showing the form)."""
    token = usable_token(token_value, AccountTokenPurpose.PASSWORD_RESET)
    return token.user if token is not None and token.user.is_active else None


def reset_password(token_value: str, new_password: str, keep_session: int | None = None) -> User:
    """Spend the link: the new password is set and every session and API token of the user ends."""
    with transaction():
        token = usable_token(token_value, AccountTokenPurpose.PASSWORD_RESET, lock=True)
        if token is None or not token.user.is_active:
            raise InvalidState("This reset link has expired or was already used. Ask for a new one.")
        user = token.user
        ended = replace_password(user, new_password, keep_session=keep_session)
        user.email_verified_at = user.email_verified_at or utcnow()  # the link proved the mailbox
        void_tokens(user, AccountTokenPurpose.PASSWORD_RESET)
        audit.record(user, "user.password_reset", user, after=ended)
    return user
