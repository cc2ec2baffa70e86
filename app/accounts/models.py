"""Users, their roles, second-factor secrets, recovery codes, API tokens, login attempts and
the single-use tokens mailed to them."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import TimestampMixin, UTCDateTime, enum_column, utcnow

# Role lives in app.core.roles; it stays importable from here for the domains.
from app.core.roles import STAFF_ROLES, Role
from app.extensions import db

__all__ = [
    "OPTIONAL_MAILS",
    "STAFF_ROLES",
    "AccountToken",
    "AccountTokenPurpose",
    "ApiToken",
    "LoginAttempt",
    "OidcIdentity",
    "RecoveryCode",
    "ResetRequest",
    "Role",
    "User",
    "UserRole",
]

# Mails a user may turn off in their settings (template name -> what the settings page says).
# Every other mail (bookings made or changed, payments, account security) is always sent.
OPTIONAL_MAILS: dict[str, str] = {
    "booking_reminder": "A reminder the day before each session",
    "message_received": "A new message in a conversation",
}


class User(UserMixin, TimestampMixin, db.Model):
    """A person with a login: client, coach, staff, or several at once."""

    __tablename__ = "users"
    # PostgreSQL, written by hand in 20261206_2200_amount_email_ix: ix_users_email_prefix on
    # lower(email) for "starts with" lookups, trigram indexes on email and last_name for "contains".

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True, nullable=False)
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    first_name: Mapped[str] = mapped_column(sa.String(80), default="", nullable=False)
    last_name: Mapped[str] = mapped_column(sa.String(80), default="", nullable=False)
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    timezone: Mapped[str] = mapped_column(sa.String(64), default="UTC", nullable=False)
    is_enabled: Mapped[bool] = mapped_column(default=True, nullable=False)
    totp_secret: Mapped[str | None] = mapped_column(sa.String(64))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    totp_last_step: Mapped[int | None] = mapped_column(sa.BigInteger)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    suspended_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    suspension_reason: Mapped[str | None] = mapped_column(sa.Text)
    banned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Optional mails turned off: template names, comma-separated (a string: users are selected DISTINCT).
    mail_opt_outs: Mapped[str] = mapped_column(sa.String(255), default="", nullable=False)
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # a mailed link was followed
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # closed by its owner: a tombstone since

    role_rows: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def roles(self) -> frozenset[Role]:
        """The roles this user holds (in a request with an API token: those its scopes allow)."""
        held = frozenset(r.role for r in self.role_rows)
        narrowed = self.__dict__.get("_acting_roles")
        return held if narrowed is None else held & narrowed

    def act_only_as(self, roles: frozenset[Role]) -> None:
        """For the rest of this request (its own database session), act only in these roles."""
        self.__dict__["_acting_roles"] = frozenset(roles)

    def has_role(self, *roles: Role | str) -> bool:
        """True when the user holds any of the given roles."""
        held = self.roles
        return any(Role(r) in held for r in roles)

    @property
    def is_staff(self) -> bool:
        """Holds at least one staff role (and so needs TOTP)."""
        return bool(self.roles & STAFF_ROLES)

    @property
    def is_active(self) -> bool:  # flask-login: disabled or banned users cannot log in
        return self.is_enabled and self.banned_at is None

    @property
    def full_name(self) -> str:
        """First and last name, or the e-mail address when both are empty."""
        name = f"{self.first_name} {self.last_name}".strip()
        return name or self.email

    @property
    def muted_mails(self) -> list[str]:
        """The optional mails this user turned off."""
        return [t for t in (self.mail_opt_outs or "").split(",") if t]

    def wants_mail(self, template: str) -> bool:
        """False when `template` is an optional mail this user turned off."""
        return template not in OPTIONAL_MAILS or template not in self.muted_mails

    def is_suspended(self, now: datetime | None = None) -> bool:
        """Suspended users may read and log in, but not post or message."""
        return self.suspended_until is not None and self.suspended_until > (now or utcnow())

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class UserRole(db.Model):
    """One role held by one user."""

    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[Role] = mapped_column(enum_column(Role), primary_key=True, index=True)
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    user: Mapped[User] = relationship(back_populates="role_rows")


class RecoveryCode(db.Model):
    """A one-time second-factor code for a lost authenticator; stored hashed."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True, nullable=False)
    code_hash: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class ApiToken(db.Model):
    """A personal access token for the JSON API; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True, nullable=False)
    name: Mapped[str] = mapped_column(sa.String(80), nullable=False)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True, nullable=False)
    prefix: Mapped[str] = mapped_column(sa.String(12), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    scopes: Mapped[str] = mapped_column(sa.String(255), default="read write", server_default="read write")
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)

    user: Mapped[User] = relationship()

    @property
    def scope_set(self) -> frozenset[str]:
        """The token's scopes ('read', 'write', 'staff:<role>')."""
        return frozenset(self.scopes.split())

    def is_expired(self, now: datetime) -> bool:
        """Past its expiry date."""
        return now >= self.expires_at


class LoginAttempt(db.Model):
    """A failed or successful login, kept to throttle per account and per address."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        sa.Index("ix_login_attempts_email_created", "email", "created_at"),
        sa.Index("ix_login_attempts_ip_created", "ip_address", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), nullable=False)
    ip_address: Mapped[str] = mapped_column(sa.String(45), nullable=False)
    succeeded: Mapped[bool] = mapped_column(nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class OidcIdentity(db.Model):
    """A sign-in identity at an OpenID provider (Google), keyed by issuer and subject, never by e-mail."""

    __tablename__ = "oidc_identities"
    __table_args__ = (sa.UniqueConstraint("issuer", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True, nullable=False)
    issuer: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    subject: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    email: Mapped[str] = mapped_column(sa.String(254), nullable=False)  # as the provider last said
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class _ThrottledRequest:
    """A request kept by the e-mail address typed (known or not) and the client's address, to throttle both."""

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), nullable=False)
    ip_address: Mapped[str] = mapped_column(sa.String(45), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class SignUpRequest(_ThrottledRequest, db.Model):
    """A sign-up form sent, for a new or a taken address."""

    __tablename__ = "sign_up_requests"
    __table_args__ = (
        sa.Index("ix_sign_up_requests_email_created", "email", "created_at"),
        sa.Index("ix_sign_up_requests_ip_created", "ip_address", "created_at"),
    )


class ResetRequest(_ThrottledRequest, db.Model):
    """A password-reset request."""

    __tablename__ = "reset_requests"
    __table_args__ = (
        sa.Index("ix_reset_requests_email_created", "email", "created_at"),
        sa.Index("ix_reset_requests_ip_created", "ip_address", "created_at"),
    )


class BrowserSession(db.Model):
    """A browser's server-side session: the cookie holds only a random id, whose SHA-256 keys this row.

    Deleting the row ends the session at once (logout, password change, an admin disabling the
    user, "end other sessions"); a replayed cookie then finds nothing.
    """

    __tablename__ = "browser_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    id_hash: Mapped[str] = mapped_column(sa.String(64), unique=True, nullable=False)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    data: Mapped[str] = mapped_column(sa.Text, default="", nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    idle_seconds: Mapped[int] = mapped_column(nullable=False)
    idle_expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True, nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True, nullable=False)
    user_agent: Mapped[str] = mapped_column(sa.String(255), default="", nullable=False)
    ip_address: Mapped[str] = mapped_column(sa.String(45), default="", nullable=False)

    def is_live(self, now: datetime) -> bool:
        """Neither idle past its limit nor past its absolute lifetime."""
        return now < self.idle_expires_at and now < self.expires_at


class AccountTokenPurpose(enum.StrEnum):
    """What a mailed link is for."""

    SIGN_UP_CONFIRM = "sign_up_confirm"
    PASSWORD_RESET = "password_reset"
    EMAIL_CHANGE = "email_change"
    OIDC_LINK = "oidc_link"


class AccountToken(db.Model):
    """A single-use link mailed to a user (password reset, new e-mail address); only its SHA-256 is stored."""

    __tablename__ = "account_tokens"
    __table_args__ = (sa.Index("ix_account_tokens_user_purpose", "user_id", "purpose"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    purpose: Mapped[AccountTokenPurpose] = mapped_column(enum_column(AccountTokenPurpose), nullable=False)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True, nullable=False)
    payload: Mapped[dict | None] = mapped_column(sa.JSON)  # e.g. {"email": the new address}
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    def is_usable(self, now: datetime) -> bool:
        """Not used yet and not expired."""
        return self.used_at is None and now < self.expires_at
