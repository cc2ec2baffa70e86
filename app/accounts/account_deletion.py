"""A user closes their own account: personal data removed, the user row kept as a tombstone person.

Bookings, payments and refunds stay for the books (and the coach's history), now naming "Deleted
user"; messages and community posts stay with their threads under the same name. Sign-in
identities, API tokens, recovery codes, mailed links, sessions, push subscriptions, mails and login or reset attempts
under the old address are deleted. Staff and coach accounts are closed by an admin
(`close_account`): the same removal, with the reason audited, and a coach's listing taken down with
its headline, bio and photo; the payout details stay for the payouts still due.
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
    SignUpRequest,
    User,
)
from app.accounts.sessions import drop_sessions
from app.accounts.settings_services import check_current_password
from app.booking.models import Booking, BookingStatus
from app.coaches import photos
from app.coaches.models import CoachProfile
from app.core import audit
from app.core.db import utcnow
from app.core.effects import on_commit, transaction
from app.core.errors import InvalidState, PermissionDenied, ValidationFailed
from app.core.models import OutgoingMail
from app.core.storage import storage
from app.extensions import db
from app.notifications.models import PushSubscription

TOMBSTONE_DOMAIN = "deleted.invalid"  # RFC 2606: never a real mailbox


def _upcoming_bookings(user: User, as_coach: bool = False) -> int:
    """Held or confirmed sessions not yet over, where the user is the client (or the coach)."""
    person = Booking.client_id == user.id
    if as_coach:
        person = sa.or_(person, Booking.coach_id.in_(sa.select(CoachProfile.id).where(CoachProfile.user_id == user.id)))
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Booking)
        .where(person, Booking.status.in_([BookingStatus.HELD, BookingStatus.CONFIRMED]), Booking.ends_at > utcnow())
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
    with transaction():
        _anonymise(user)
        audit.record(user, "user.deleted", user, before={"roles": sorted(user.roles)}, after={"tombstone": True})


def close_account(user: User, actor: User, reason: str, confirm_email: str) -> None:
    """An admin closes a staff or coach account (or any other): the reason is required and audited."""
    if not actor.has_role(Role.ADMIN):
        raise PermissionDenied("Only an admin may close an account.")
    if user.id == actor.id:
        raise PermissionDenied("You cannot close your own account; ask another admin.", code="own_account")
    if user.deleted_at is not None:
        raise InvalidState("This account is already closed.")
    reason = " ".join((reason or "").split())
    errors = {}
    if len(reason) < 5:
        errors["reason"] = "Say why the account is closed (at least 5 characters)."
    if (confirm_email or "").strip().lower() != user.email:
        errors["confirm_email"] = "Type the account's e-mail address exactly to confirm."
    if errors:
        raise ValidationFailed("Please correct the marked fields.", fields=errors)
    upcoming = _upcoming_bookings(user, as_coach=True)
    if upcoming:
        raise InvalidState(
            f"This person has {upcoming} upcoming session(s). Cancel them first, then close the account."
        )
    with transaction():
        before = {"roles": sorted(user.roles), "email": user.email}
        coach = db.session.scalar(sa.select(CoachProfile).where(CoachProfile.user_id == user.id))
        if coach is not None:
            before["listed"] = coach.is_active
            _take_down(coach)
        _anonymise(user)
        audit.record(actor, "user.closed", user, before=before, after={"tombstone": True, "reason": reason})


def _take_down(coach: CoachProfile) -> None:
    """Out of search, with the words and the photo the coach wrote or uploaded; files go after the commit."""
    old = coach.photo_key
    coach.is_active = False
    coach.headline, coach.bio, coach.photo_key = "", "", None
    coach.search_text, coach.next_slot_at = "", None
    if old:
        for edge in photos.SIZES:
            on_commit(storage().delete, photos.photo_key(old, edge))


def _anonymise(user: User) -> None:
    """Remove the person's data and sign-in means; the row stays as the tombstone "Deleted user"."""
    old_email = user.email
    for model in (OidcIdentity, ApiToken, RecoveryCode, AccountToken, PushSubscription):
        db.session.execute(sa.delete(model).where(model.user_id == user.id))
    for column in (LoginAttempt.email, ResetRequest.email, SignUpRequest.email, OutgoingMail.to_address):
        db.session.execute(sa.delete(column.class_).where(column == old_email))
    drop_sessions(user)
    user.email = f"deleted-{user.id}@{TOMBSTONE_DOMAIN}"
    user.first_name, user.last_name, user.phone = "Deleted", "user", None
    user.password_hash = user.totp_secret = user.totp_enabled_at = user.totp_last_step = None
    user.is_enabled, user.timezone, user.mail_opt_outs = False, "UTC", ""
    user.email_verified_at, user.last_login_at = None, None
    user.deleted_at = utcnow()
