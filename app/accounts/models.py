"""Users, their roles, second-factor secrets, recovery codes, API tokens and login attempts."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import TimestampMixin, UTCDateTime, enum_column, utcnow

# Role lives in app.core.roles; it stays importable from here for the domains.
from app.core.roles import STAFF_ROLES, Role
from app.extensions import db

__all__ = ["STAFF_ROLES", "ApiToken", "LoginAttempt", "RecoveryCode", "Role", "User", "UserRole"]


class User(UserMixin, TimestampMixin, db.Model):
    """A person with a login: client, coach, staff, or several at once."""

    __tablename__ = "users"

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

    role_rows: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def roles(self) -> frozenset[Role]:
        """The roles this user holds."""
        return frozenset(r.role for r in self.role_rows)

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

    user: Mapped[User] = relationship()


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
