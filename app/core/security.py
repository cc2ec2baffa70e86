"""Passwords, TOTP, recovery codes, API tokens and the access rules every route declares."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from functools import wraps

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import abort, current_app, request
from flask_login import current_user

from app.core.roles import Role

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    """An argon2id hash of the password."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when the password matches; never raises on a bad hash."""
    if not password_hash:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def sha256_hex(value: str) -> str:
    """Hex SHA-256 of a string (tokens and recovery codes are stored this way)."""
    return hashlib.sha256(value.encode()).hexdigest()


def new_totp_secret() -> str:
    """A fresh base32 TOTP secret."""
    return pyotp.random_base32()


def totp_uri(secret: str, email: str) -> str:
    """The otpauth:// URI an authenticator app reads."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=current_app.config["TOTP_ISSUER"])


def totp_matching_step(secret: str, code: str) -> int | None:
    """The time step the code belongs to (±1 step of drift), or None when it does not match."""
    code = (code or "").strip().replace(" ", "")
    if not code.isdigit() or len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    now_step = int(time.time()) // totp.interval
    for step in (now_step, now_step - 1, now_step + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def new_recovery_codes(count: int = 10) -> list[str]:
    """Human-typable one-time codes like 'k3f9-2mxa'."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return ["-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(2)) for _ in range(count)]


def new_api_token() -> str:
    """A personal access token: 'cc_' plus 43 URL-safe characters."""
    return "cc_" + secrets.token_urlsafe(32)


# --- Access rules -------------------------------------------------------------------------
# Every view declares who may call it; tests/test_permissions.py reads `view.access` for
# every endpoint in the URL map, so a route without a rule fails the suite.

PUBLIC = "public"
AUTHENTICATED = "authenticated"


def _mark(view: Callable, rule: str | frozenset[Role]) -> Callable:
    view.access = rule
    return view


def public(view: Callable) -> Callable:
    """Anyone, logged in or not."""
    return _mark(view, PUBLIC)


def login_required(view: Callable) -> Callable:
    """Any logged-in user (staff have passed TOTP to be logged in at all)."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return current_app.login_manager.unauthorized()
        return view(*args, **kwargs)

    return _mark(wrapped, AUTHENTICATED)


def roles_required(*roles: Role) -> Callable[[Callable], Callable]:
    """Only users holding at least one of the roles; others get 403, anonymous users log in."""
    allowed = frozenset(roles)

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()
            if not current_user.has_role(*allowed):
                abort(403)
            return view(*args, **kwargs)

        return _mark(wrapped, allowed)

    return decorator


def client_ip() -> str:
    """The caller's address (ProxyFix sets it behind a proxy)."""
    return request.remote_addr or "0.0.0.0"
