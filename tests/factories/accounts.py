"""Account factories and the shared base factory."""

from __future__ import annotations

import factory
import pyotp

from app.accounts.models import Role, User, UserRole
from app.core.db import utcnow
from app.core.security import hash_password
from app.extensions import db

PASSWORD = "correct-horse-battery"
PASSWORD_HASH = hash_password(PASSWORD)  # hashed once: argon2 is slow on purpose


class BaseFactory(factory.alchemy.SQLAlchemyModelFactory):
    """Commits each object so services and requests see it."""

    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "commit"


class UserFactory(BaseFactory):
    """A client by default; pass roles=[Role.X, ...] for others."""

    class Meta:
        model = User
        exclude = ("roles",)

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password_hash = PASSWORD_HASH
    timezone = "Europe/Berlin"
    roles = (Role.CLIENT,)
    role_rows = factory.LazyAttribute(lambda o: [UserRole(role=Role(r)) for r in o.roles])


class StaffFactory(UserFactory):
    """A staff user with TOTP enrolled (secret in .totp_secret)."""

    roles = (Role.ADMIN,)
    totp_secret = factory.LazyFunction(pyotp.random_base32)
    totp_enabled_at = factory.LazyFunction(utcnow)
