"""Personal access tokens for the JSON API: scoped, expiring, and only ever accepted under /api/.

Scopes: `read` (GET, HEAD, OPTIONS), `write` (every other method) and one `staff:<role>` per staff
role the token may act in. A request with a token acts with the user's client and coach roles plus
the staff roles its scopes name; a staff scope needs TOTP enrolled, when the token is created and
when it is used.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from app.accounts.models import STAFF_ROLES, ApiToken, Role, User
from app.core import audit
from app.core.db import utcnow
from app.core.effects import commit
from app.core.errors import NotFound, PermissionDenied, ValidationFailed
from app.core.security import new_api_token, sha256_hex
from app.extensions import db

READ, WRITE = "read", "write"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
MAX_DAYS = 366


def staff_scope(role: Role) -> str:
    """The scope that lets a token act in one staff role, e.g. 'staff:finance'."""
    return f"staff:{Role(role).value}"


def scopes_for(user: User) -> list[str]:
    """Every scope this user may put on a token (staff ones only with TOTP enrolled)."""
    staff = sorted(r.value for r in user.roles & STAFF_ROLES) if user.totp_enabled_at else []
    return [READ, WRITE, *(f"staff:{r}" for r in staff)]


def _check_scopes(user: User, scopes: list[str]) -> list[str]:
    wanted = sorted(set(scopes))
    if not wanted:
        raise ValidationFailed("Choose at least one scope.", fields={"scopes": "Choose at least one scope."})
    staff_wanted = [s for s in wanted if s.startswith("staff:")]
    if staff_wanted and not user.totp_enabled_at:
        message = "A token for a staff role needs two-step login (TOTP) turned on first."
        raise ValidationFailed(message, fields={"scopes": message})
    unknown = set(wanted) - set(scopes_for(user))
    if unknown:
        message = f"Not a scope you can give: {', '.join(sorted(unknown))}."
        raise ValidationFailed(message, fields={"scopes": message})
    return wanted


def create_api_token(
    user: User, name: str, actor: User | None = None, scopes: list[str] | None = None, days: int | None = None
) -> tuple[ApiToken, str]:
    """A new token (every scope the user may give unless `scopes` says); the plain value is returned once."""
    if actor is not None and actor.id != user.id:
        raise PermissionDenied("You can only create tokens for yourself.")
    chosen = _check_scopes(user, scopes_for(user) if scopes is None else scopes)
    days = current_app.config["API_TOKEN_DAYS"] if days is None else days
    if not 1 <= days <= MAX_DAYS:
        raise ValidationFailed(f"Between 1 and {MAX_DAYS} days.", fields={"days": f"Between 1 and {MAX_DAYS} days."})
    name = (name or "").strip() or "token"
    plain = new_api_token()
    token = ApiToken(
        user_id=user.id,
        name=name[:80],
        token_hash=sha256_hex(plain),
        prefix=plain[:10],
        scopes=" ".join(chosen),
        expires_at=utcnow() + timedelta(days=days),
    )
    db.session.add(token)
    after = {"name": token.name, "prefix": token.prefix, "scopes": chosen, "expires_at": token.expires_at.isoformat()}
    audit.record(actor or user, "api_token.created", token, after=after)
    commit()
    return token, plain


def revoke_api_token(token: ApiToken, actor: User) -> None:
    """Revoke one of the actor's own tokens (admins: anyone's)."""
    if token.user_id != actor.id and not actor.has_role(Role.ADMIN):
        raise NotFound("No such token.")
    token.revoked_at = utcnow()
    audit.record(actor, "api_token.revoked", token)
    commit()


def token_for(plain: str) -> ApiToken | None:
    """The live token with this value: unrevoked, unexpired, its user active; notes its use."""
    now = utcnow()
    token = (
        db.session.execute(
            sa.select(ApiToken)
            .options(sa.orm.joinedload(ApiToken.user).joinedload(User.role_rows))  # one statement, not three
            .where(ApiToken.token_hash == sha256_hex(plain), ApiToken.revoked_at.is_(None), ApiToken.expires_at > now)
        )
        .unique()
        .scalar_one_or_none()
    )
    if token is None or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        token.last_used_at = now
        db.session.commit()
    return token


def user_for_token(plain: str) -> User | None:
    """The active user owning this live token (roles not yet narrowed to its scopes)."""
    token = token_for(plain)
    return token.user if token is not None else None


def missing_scope(token: ApiToken, method: str) -> str | None:
    """The scope this request method needs and the token lacks, if any."""
    needed = READ if method in SAFE_METHODS else WRITE
    return None if needed in token.scope_set else needed


def acting_roles(token: ApiToken) -> frozenset[Role]:
    """The roles a request with this token acts in: client and coach, plus the staff roles its scopes name."""
    user = token.user
    held = frozenset(r.role for r in user.role_rows)
    staff = {r for r in held & STAFF_ROLES if staff_scope(r) in token.scope_set} if user.totp_enabled_at else set()
    return frozenset((held - STAFF_ROLES) | staff)
