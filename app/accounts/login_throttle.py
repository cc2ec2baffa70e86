"""Login throttling that cannot lock the owner out (issue 21).

Three counters over failed attempts in one window (`LOGIN_THROTTLE_MINUTES`):
- an account from one client address (the pair): past `LOGIN_MAX_FAILURES_PER_PAIR` that pair waits
  out the window, while the owner elsewhere signs in as usual;
- one client address, whatever account it tries: past `LOGIN_MAX_FAILURES_PER_ADDRESS` it waits;
- one account from anywhere: past `LOGIN_SLOWDOWN_AFTER` each next attempt waits 1 s, 2 s, 4 s … (at
  most `LOGIN_SLOWDOWN_MAX_SECONDS`) after the last failure, so guessing from many addresses crawls,
  but a browser that signed in to this account before (the signed known-device cookie) is not slowed.
When an account reaches `LOGIN_WARN_OWNER_AFTER` failures its owner gets one mail per window.
"""

from __future__ import annotations

import math
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from app.accounts.models import LoginAttempt, User
from app.core import audit
from app.core.db import utcnow
from app.core.errors import RateLimited
from app.core.mail import external_url, queue_mail
from app.core.models import AuditLog
from app.extensions import db

WARNED = "user.login_guessed"


def _since():
    return utcnow() - timedelta(minutes=current_app.config["LOGIN_THROTTLE_MINUTES"])


def _counts(email: str, ip: str, since) -> tuple[int, int, int, object]:
    """Failures of (this account, this address), of this address, of this account; the account's last."""
    failed = sa.and_(LoginAttempt.succeeded.is_(False), LoginAttempt.created_at >= since)
    mine, here = LoginAttempt.email == email, LoginAttempt.ip_address == ip
    row = db.session.execute(
        sa.select(
            sa.func.count().filter(mine, here),
            sa.func.count().filter(here),
            sa.func.count().filter(mine),
            sa.func.max(LoginAttempt.created_at).filter(mine),
        ).where(failed, sa.or_(mine, here))
    ).one()
    return row[0], row[1], row[2], row[3]


def account_wait_seconds(failures: int, last_failure_at) -> int:
    """How long the account's next attempt must wait after its last failure (0: no wait)."""
    cfg = current_app.config
    if failures < cfg["LOGIN_SLOWDOWN_AFTER"] or last_failure_at is None:
        return 0
    delay = min(2 ** (failures - cfg["LOGIN_SLOWDOWN_AFTER"]), cfg["LOGIN_SLOWDOWN_MAX_SECONDS"])
    return max(0, math.ceil((last_failure_at + timedelta(seconds=delay) - utcnow()).total_seconds()))


def check_throttle(email: str, ip: str, known_device: bool = False) -> None:
    """Raise RateLimited when this pair or this address failed too often, or the account must wait."""
    cfg = current_app.config
    pair, address, account, last = _counts(email, ip, _since())
    if pair >= cfg["LOGIN_MAX_FAILURES_PER_PAIR"] or address >= cfg["LOGIN_MAX_FAILURES_PER_ADDRESS"]:
        minutes = cfg["LOGIN_THROTTLE_MINUTES"]
        raise RateLimited(f"Too many failed attempts. Try again in {minutes} minutes.", retry_after=minutes * 60)
    wait = 0 if known_device else account_wait_seconds(account, last)
    if wait:
        raise RateLimited(f"This account had many failed sign-ins. Try again in {wait} seconds.", retry_after=wait)


def check_request_throttle(model, email: str, ip: str, per_account: int, per_address: int, what: str) -> None:
    """Raise RateLimited when `model` (sign-ups, reset requests) has too many rows in the login window
    for this typed e-mail address or this client address."""
    minutes = current_app.config["LOGIN_THROTTLE_MINUTES"]
    row = db.session.execute(
        sa.select(sa.func.count().filter(model.email == email), sa.func.count().filter(model.ip_address == ip)).where(
            model.created_at >= _since(), sa.or_(model.email == email, model.ip_address == ip)
        )
    ).one()
    if row[0] >= per_account or row[1] >= per_address:
        raise RateLimited(f"Too many {what}. Try again in {minutes} minutes.", retry_after=minutes * 60)


def record_failure(email: str, ip: str, user: User | None) -> None:
    """Add a failed attempt (flushed, not committed) and warn the owner once per window when guessed."""
    db.session.add(LoginAttempt(email=email, ip_address=ip, succeeded=False))
    db.session.flush()
    if user is None or not user.is_active:
        return
    since = _since()
    _, _, failures, _ = _counts(email, ip, since)
    if failures < current_app.config["LOGIN_WARN_OWNER_AFTER"] or _warned_since(user, since):
        return
    audit.record(None, WARNED, user, after={"failures": failures})
    queue_mail(
        user.email,
        "login_guessed",
        "Someone is trying to sign in to your account",
        {
            "user": user,
            "failures": failures,
            "minutes": current_app.config["LOGIN_THROTTLE_MINUTES"],
            "reset_url": external_url("password_reset.request_reset"),
        },
    )


def _warned_since(user: User, since) -> bool:
    return bool(
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AuditLog)
            .where(
                AuditLog.action == WARNED,
                AuditLog.object_type == User.__tablename__,
                AuditLog.object_id == str(user.id),
                AuditLog.created_at >= since,
            )
        )
    )
