"""Changes a user makes to their own account: name and time zone, password, e-mail address, mails."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from app.accounts.account_tokens import issue_token, usable_token, void_tokens
from app.accounts.login_throttle import check_throttle, record_failure
from app.accounts.models import OPTIONAL_MAILS, AccountTokenPurpose, ApiToken, User
from app.accounts.services import MIN_PASSWORD_LENGTH, find_user, normalise_email
from app.accounts.session_store import current_session_id, rotate_session
from app.accounts.sessions import drop_sessions
from app.core import audit
from app.core.db import utcnow
from app.core.effects import commit, transaction
from app.core.errors import Conflict, InvalidState, ValidationFailed
from app.core.mail import external_url, queue_mail
from app.core.security import hash_password, verify_password
from app.extensions import db

EMAIL_CHANGE_LIFETIME = timedelta(hours=24)


def update_profile(user: User, first_name: str, last_name: str, timezone: str) -> None:
    """Rename the user and set the zone their times are shown in."""
    before = {"first_name": user.first_name, "last_name": user.last_name, "timezone": user.timezone}
    with transaction():
        user.first_name, user.last_name, user.timezone = first_name.strip(), last_name.strip(), timezone
        after = {"first_name": user.first_name, "last_name": user.last_name, "timezone": user.timezone}
        if after != before:
            audit.record(user, "user.profile_changed", user, before=before, after=after)


def check_current_password(user: User, password: str, ip: str) -> None:
    """Raise unless `password` is the user's; a wrong one counts towards the login throttle."""
    check_throttle(user.email, ip, known_device=True)  # signed in already: the account slowdown is not for them
    if verify_password(user.password_hash, password or ""):
        return
    record_failure(user.email, ip, user)
    commit()
    message = "That is not your current password."
    raise ValidationFailed(message, fields={"current_password": message})


def replace_password(user: User, new_password: str, keep_session: int | None) -> dict:
    """Set a new password inside the caller's transaction: every other session and every API token
    of the user ends, and a mail says the password changed. Returns what ended (for the audit)."""
    if len(new_password or "") < MIN_PASSWORD_LENGTH:
        message = f"Use at least {MIN_PASSWORD_LENGTH} characters."
        raise ValidationFailed(message, fields={"password": message})
    user.password_hash = hash_password(new_password)
    sessions_ended = drop_sessions(user, keep=keep_session)
    revoked = db.session.execute(
        sa.update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow()),
        execution_options={"synchronize_session": False},
    ).rowcount
    if keep_session is not None:
        rotate_session()  # this browser carries on under an id nobody saw before the change
    queue_mail(
        user.email,
        "password_changed",
        "Your Coach Connect password was changed",
        {"user": user, "reset_url": external_url("password_reset.request_reset")},
    )
    return {"sessions_ended": sessions_ended, "api_tokens_revoked": revoked or 0}


def change_password(user: User, current_password: str, new_password: str, ip: str) -> dict:
    """The signed-in user changes their password (the current one required); other sessions and tokens end."""
    check_current_password(user, current_password, ip)
    with transaction():
        ended = replace_password(user, new_password, keep_session=current_session_id())
        audit.record(user, "user.password_changed", user, after=ended)
    return ended


def request_email_change(user: User, new_email: str, password: str, ip: str) -> str:
    """Mail a confirmation link to the new address; nothing changes until it is followed.

    An address that already has an account gets a mail saying so instead of a link, and the
    page answers the same either way, so this form does not tell who has an account.
    """
    check_current_password(user, password, ip)
    new = normalise_email(new_email)
    if new == user.email:
        raise ValidationFailed("That is already your address.", fields={"email": "That is already your address."})
    with transaction():
        void_tokens(user, AccountTokenPurpose.EMAIL_CHANGE)
        if find_user(new) is not None:
            queue_mail(new, "email_change_taken", "Someone tried to use this address at Coach Connect", {})
        else:
            plain = issue_token(user, AccountTokenPurpose.EMAIL_CHANGE, EMAIL_CHANGE_LIFETIME, {"email": new})
            confirm_url = external_url("settings.confirm_email", token=plain)
            queue_mail(
                new,
                "email_change_confirm",
                "Confirm your new e-mail address",
                {"user": user, "confirm_url": confirm_url},
            )
        audit.record(user, "user.email_change_requested", user, after={"email": new})
    return new


def pending_email(token_value: str) -> str | None:
    """The new address a still-usable confirmation link would set, for the confirmation page."""
    token = usable_token(token_value, AccountTokenPurpose.EMAIL_CHANGE)
    return token.payload["email"] if token is not None and token.user.is_active else None


def confirm_email_change(token_value: str) -> User:
    """Follow the link: the address changes, and the old address is told."""
    with transaction():
        token = usable_token(token_value, AccountTokenPurpose.EMAIL_CHANGE, lock=True)
        if token is None or not token.user.is_active:  # a disabled or closed account changes nothing
            raise InvalidState("This link has expired or was already used. Ask for a new one in your settings.")
        user, new = token.user, token.payload["email"]
        if find_user(new) is not None:
            raise Conflict("That address has an account by now; it cannot be yours as well.")
        old = user.email
        user.email = new
        token.used_at = user.email_verified_at = utcnow()
        queue_mail(old, "email_changed", "Your Coach Connect e-mail address was changed", {"user": user, "old": old})
        audit.record(user, "user.email_changed", user, before={"email": old}, after={"email": new})
    return user


def set_mail_preferences(user: User, wanted: list[str]) -> None:
    """Keep the optional mails the user wants; turn off the others."""
    opt_outs = sorted(set(OPTIONAL_MAILS) - set(wanted))
    before = user.muted_mails
    with transaction():
        user.mail_opt_outs = ",".join(opt_outs)
        if opt_outs != before:
            audit.record(user, "user.mail_preferences_changed", user, before={"off": before}, after={"off": opt_outs})
