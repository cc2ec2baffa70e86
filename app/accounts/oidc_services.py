"""Sign in with an OpenID provider (Google): who an identity is, new accounts, and linking one to an
existing account only after that account's password or a link mailed to its (confirmed) address."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import available_timezones

import sqlalchemy as sa

from app.accounts.account_tokens import issue_token, usable_token
from app.accounts.models import AccountTokenPurpose, OidcIdentity, Role, User
from app.accounts.services import _add_user, find_user, normalise_email, welcome_client
from app.accounts.settings_services import check_current_password
from app.core import audit
from app.core.db import utcnow
from app.core.effects import transaction
from app.core.errors import Conflict, InvalidState, PermissionDenied
from app.core.mail import external_url, queue_mail
from app.extensions import db

LINK_LIFETIME = timedelta(hours=1)


@dataclass(frozen=True)
class ProviderIdentity:
    """What a checked ID token says: issuer + subject name the person; the e-mail is only a hint."""

    issuer: str
    subject: str
    email: str
    first_name: str = ""
    last_name: str = ""

    def as_dict(self) -> dict:
        """For the session and a mailed link's payload."""
        return {"issuer": self.issuer, "subject": self.subject, "email": self.email}


@dataclass(frozen=True)
class SignIn:
    """The outcome: a user to log in, or an existing account that the identity may be linked to."""

    user: User | None = None
    link_to: User | None = None


def identity_from_claims(issuer: str, claims: dict) -> ProviderIdentity:
    """The identity of a checked ID token; refused unless the provider verified the e-mail address."""
    if claims.get("email_verified") not in (True, "true") or not claims.get("email"):
        raise PermissionDenied(
            "Your Google account's e-mail address is not verified, so it cannot sign you in here.",
            code="email_unverified",
        )
    return ProviderIdentity(
        issuer=issuer,
        subject=str(claims["sub"]),
        email=normalise_email(claims["email"]),
        first_name=str(claims.get("given_name") or "")[:80],
        last_name=str(claims.get("family_name") or "")[:80],
    )


def _identity_row(identity: ProviderIdentity) -> OidcIdentity | None:
    return db.session.scalar(
        sa.select(OidcIdentity).where(OidcIdentity.issuer == identity.issuer, OidcIdentity.subject == identity.subject)
    )


def sign_in(identity: ProviderIdentity, timezone: str = "UTC") -> SignIn:
    """A known identity signs its user in; an address nobody uses gets a new client account; an
    address that has an account is never merged here: the caller asks for proof first."""
    row = _identity_row(identity)
    if row is not None:
        if not row.user.is_active:
            raise PermissionDenied("This account is disabled.", code="account_disabled")
        with transaction():
            row.last_login_at, row.email = utcnow(), identity.email
        return SignIn(user=row.user)
    existing = find_user(identity.email)
    if existing is not None:
        if not existing.is_active:
            raise PermissionDenied("This account is disabled.", code="account_disabled")
        return SignIn(link_to=existing)
    zone = timezone if timezone in available_timezones() else "UTC"
    with transaction():
        user = _add_user(
            identity.email,
            None,
            [Role.CLIENT],
            first_name=identity.first_name,
            last_name=identity.last_name,
            timezone=zone,
        )
        user.email_verified_at = utcnow()  # the provider verified it
        db.session.add(_new_row(user, identity))
        welcome_client(user, via="oidc")
    return SignIn(user=user)


def _new_row(user: User, identity: ProviderIdentity) -> OidcIdentity:
    return OidcIdentity(
        user_id=user.id,
        issuer=identity.issuer,
        subject=identity.subject,
        email=identity.email,
        last_login_at=utcnow(),
    )


def _link(user: User, identity: dict, how: str) -> None:
    if normalise_email(identity["email"]) != user.email:
        raise InvalidState("This account's e-mail address changed since; sign in with Google again.")
    found = _identity_row(ProviderIdentity(identity["issuer"], identity["subject"], identity["email"]))
    if found is not None:
        raise Conflict("That Google account is already linked to an account here.")
    db.session.add(_new_row(user, ProviderIdentity(identity["issuer"], identity["subject"], user.email)))
    user.email_verified_at = user.email_verified_at or utcnow()
    audit.record(user, "user.oidc_linked", user, after={"issuer": identity["issuer"], "how": how})


def link_with_password(user: User, identity: dict, password: str, ip: str) -> None:
    """Link the identity after the account's own password (a wrong one counts towards the login throttle)."""
    check_current_password(user, password, ip)
    with transaction():
        _link(user, identity, "password")


def mail_link_confirmation(user: User, identity: dict) -> None:
    """Mail the account's address a link that confirms the linking; only for an address proven before.

    An account whose address nobody confirmed may have been opened by someone else in its owner's
    name: it is never merged by a mail; its password (or a password reset first) is the way.
    """
    if user.email_verified_at is None:
        raise PermissionDenied(
            "This account's address was never confirmed, so we cannot link by mail. Use its password, "
            "or reset the password by mail first.",
            code="email_unconfirmed",
        )
    with transaction():
        plain = issue_token(user, AccountTokenPurpose.OIDC_LINK, LINK_LIFETIME, identity)
        queue_mail(
            user.email,
            "oidc_link_confirm",
            "Confirm signing in with Google",
            {"user": user, "confirm_url": external_url("oidc.confirm_link", token=plain)},
        )
        audit.record(user, "user.oidc_link_requested", user, after={"issuer": identity["issuer"]})


def pending_link_user(token_value: str) -> User | None:
    """The account a still-usable link confirmation belongs to."""
    token = usable_token(token_value, AccountTokenPurpose.OIDC_LINK)
    return token.user if token is not None else None


def confirm_link(token_value: str) -> User:
    """Follow the mailed link: the identity is linked (the token is spent)."""
    with transaction():
        token = usable_token(token_value, AccountTokenPurpose.OIDC_LINK, lock=True)
        if token is None or not token.user.is_active:
            raise InvalidState("This link has expired or was already used. Sign in with Google again.")
        token.used_at = utcnow()
        _link(token.user, token.payload, "mail")
    return token.user
