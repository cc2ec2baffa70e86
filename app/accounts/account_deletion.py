"""A user closes their own account: personal data removed, the user row kept as a tombstone person.

Bookings, payments and refunds stay for the books (and the coach's history), now naming "Deleted
user"; messages and community posts stay with their threads under the same name. Sign-in
identities, API tokens, recovery codes, mailed links, sessions, mails and login or reset attempts
under the old address are deleted. Staff and coach accounts are closed by an admin.
"""

from __future__ import annotations

import sqlalchemy as sa

from app.accounts.models import (
    AccountToken,
    ApiToken,
    LoginAttempt,
    OidcIdentity,
    RecoveryCode,
    ResetRequest,
    Role,
    User,
)
from app.accounts.sessions import drop_sessions
from app.accounts.settings_services import check_current_password
from app.booking.models import Booking, BookingStatus
from app.core import audit
from app.core.db import utcnow
from app.core.effects import transaction
from app.core.errors import InvalidState, PermissionDenied, ValidationFailed
from app.core.models import OutgoingMail
from app.extensions import db

TOMBSTONE_DOMAIN = "deleted.invalid"  # RFC 2606: never a real mailbox


def _upcoming_bookings(user: User) -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Booking)
        .where(
            Booking.client_id == user.id,
            Booking.status.in_([BookingStatus.HELD, BookingStatus.CONFIRMED]),
            Booking.ends_at > utcnow(),
        )
    )


def check_can_delete(user: User) -> None:
    """Raise unless the user may close the account themselves now."""
    if user.is_staff or user.has_role(Role.COACH):
        raise PermissionDenied("Staff and coach accounts are closed by an admin: write to support.", code="ask_admin")
    if _upcoming_bookings(user):
        raise InvalidState("You have upcoming sessions. Cancel them first, then close the account.")


def delete_account(user: User, confirm_email: str, password: str | None, ip: str) -> None:
    """Close the account: the user typed their address (and their password, when they have one)."""
    check_can_delete(user)
    if (confirm_email or "").strip().lower() != user.email:
        message = "Type your e-mail address exactly to confirm."
        raise ValidationFailed(message, fields={"confirm_email": message})
    if user.password_hash is not None:
        check_current_password(user, password or "", ip)
    old_email = user.email
    with transaction():
        for model in (OidcIdentity, ApiToken, RecoveryCode, AccountToken):
            db.session.execute(sa.delete(model).where(model.user_id == user.id))
        for column in (LoginAttempt.email, ResetRequest.email, OutgoingMail.to_address):
            db.session.execute(sa.delete(column.class_).where(column == old_email))
        drop_sessions(user)
        user.email = f"deleted-{user.id}@{TOMBSTONE_DOMAIN}"
        user.first_name, user.last_name, user.phone = "Deleted", "user", None
        user.password_hash = user.totp_secret = user.totp_enabled_at = user.totp_last_step = None
        user.is_enabled, user.timezone, user.mail_opt_outs = False, "UTC", ""
        user.email_verified_at, user.last_login_at = None, None
        user.deleted_at = utcnow()
        audit.record(user, "user.deleted", user, before={"roles": sorted(user.roles)}, after={"tombstone": True})
