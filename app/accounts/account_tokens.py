"""Single-use tokens mailed to a user: issued as a random value, stored only as its SHA-256."""

from __future__ import annotations

import secrets
from datetime import timedelta

import sqlalchemy as sa

from app.accounts.models import AccountToken, AccountTokenPurpose, User
from app.core.db import utcnow
from app.core.security import sha256_hex
from app.extensions import db


def issue_token(user: User, purpose: AccountTokenPurpose, lifetime: timedelta, payload: dict | None = None) -> str:
    """A new token for the user (flushed, not committed); the plain value goes into the mail only."""
    plain = secrets.token_urlsafe(32)
    db.session.add(
        AccountToken(
            user_id=user.id,
            purpose=purpose,
            token_hash=sha256_hex(plain),
            payload=payload,
            expires_at=utcnow() + lifetime,
        )
    )
    db.session.flush()
    return plain


def usable_token(plain: str | None, purpose: AccountTokenPurpose, *, lock: bool = False) -> AccountToken | None:
    """The unused, unexpired token with this value and purpose; `lock` holds it until the commit."""
    if not plain:
        return None
    query = sa.select(AccountToken).where(AccountToken.token_hash == sha256_hex(plain), AccountToken.purpose == purpose)
    token = db.session.scalar(query.with_for_update() if lock else query)
    return token if token is not None and token.is_usable(utcnow()) else None


def void_tokens(user: User, purpose: AccountTokenPurpose) -> None:
    """Mark every unused token of this purpose used (after a reset, or a newer request)."""
    db.session.execute(
        sa.update(AccountToken)
        .where(AccountToken.user_id == user.id, AccountToken.purpose == purpose, AccountToken.used_at.is_(None))
        .values(used_at=utcnow()),
        execution_options={"synchronize_session": False},
    )
