"""Server-side analytics events: the booking funnel, sign-ups and logins.

Services call `track(EVENT_NAME, user=..., coach_id=..., **props)` before their commit(); the event
rides the same transaction. Read-only views (search, profile) call `record(...)`, which commits. Properties never hold personal data:
keys that could identify a person are dropped, values are short scalars, and the caller's
address is kept truncated to its /24 (IPv4) or /48 (IPv6) network.
"""

from __future__ import annotations

import ipaddress
import logging
import re
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app, has_request_context

from app.analytics.models import AnalyticsEvent
from app.core.db import utcnow
from app.extensions import db

log = logging.getLogger(__name__)

# Funnel and account event names: import these constants, never spell the strings.
SIGN_UP = "sign_up"
LOGIN = "login"
COACH_SEARCH = "coach_search"  # props: specialization (slug), level, language, currency
PROFILE_VIEW = "profile_view"  # coach_id=
BOOKING_STARTED = "booking_started"  # coach_id=
SLOT_HELD = "slot_held"  # coach_id=, props: booking_id
PAYMENT_SUCCEEDED = "payment_succeeded"  # coach_id=, props: currency, amount
BOOKING_CONFIRMED = "booking_confirmed"  # coach_id=, props: booking_id

EVENT_NAMES = frozenset(
    {SIGN_UP, LOGIN, COACH_SEARCH, PROFILE_VIEW, BOOKING_STARTED, SLOT_HELD, PAYMENT_SUCCEEDED, BOOKING_CONFIRMED}
)

# Keys that could carry personal data are dropped whatever their value.
PERSONAL_KEYS = re.compile(
    r"(^|_)(e-?mail|(first_|last_|full_|user)?name|phone|address|ip|street|city|zip|postcode|birth\w*|password|"
    r"token|message|body|notes?|text|query|q|search)$",
    re.IGNORECASE,
)
_EMAIL_LIKE = re.compile(r"[^@\s]+@[^@\s]+")
MAX_VALUE_LENGTH = 64


def truncate_ip(address: str | None) -> str | None:
    """The /24 (IPv4) or /48 (IPv6) network of an address, e.g. '203.0.113.0/24'; None if invalid."""
    if not address:
        return None
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def clean_properties(props: dict[str, Any]) -> dict[str, Any]:
    """Only short scalar values under non-personal keys; e-mail-like strings are dropped."""
    clean: dict[str, Any] = {}
    for key, value in props.items():
        if PERSONAL_KEYS.search(str(key)):
            continue
        if isinstance(value, bool | int | float) or value is None:
            clean[str(key)] = value
        elif isinstance(value, str) and not _EMAIL_LIKE.search(value):
            clean[str(key)] = value[:MAX_VALUE_LENGTH]
    return clean


def _user_id(user) -> int | None:
    """An id from a User, an int, None, or an anonymous visitor (None)."""
    if user is None or isinstance(user, int):
        return user
    if not getattr(user, "is_authenticated", True):
        return None
    return getattr(user, "id", None)


def _request_ip() -> str | None:
    if not has_request_context():
        return None
    from app.core.security import client_ip

    return client_ip()


def track(
    name: str,
    user=None,
    coach_id: int | None = None,
    *,
    ip: str | None = None,
    occurred_at: datetime | None = None,
    **props: Any,
) -> AnalyticsEvent:
    """Add one event to the current transaction (the caller's service commits it)."""
    if name not in EVENT_NAMES:
        raise ValueError(f"unknown analytics event {name!r}")
    event = AnalyticsEvent(
        name=name,
        user_id=_user_id(user),
        coach_id=coach_id,
        ip_prefix=truncate_ip(ip if ip is not None else _request_ip()),
        properties=clean_properties(props),
        occurred_at=occurred_at or utcnow(),
    )
    db.session.add(event)
    return event


def record(name: str, user=None, coach_id: int | None = None, **props: Any) -> None:
    """For read-only pages (coach search, profile view): write the event at once, on its own connection.

    The request's session is left alone (no commit, so nothing it loaded is expired and reloaded).
    Never raises: analytics must not break the page; a failure is logged.
    """
    try:
        if name not in EVENT_NAMES:
            raise ValueError(f"unknown analytics event {name!r}")
        with db.engine.begin() as conn:
            conn.execute(
                sa.insert(AnalyticsEvent).values(
                    name=name,
                    user_id=_user_id(user),
                    coach_id=coach_id,
                    ip_prefix=truncate_ip(_request_ip()),
                    properties=clean_properties(props),
                    occurred_at=utcnow(),
                )
            )
    except Exception:  # noqa: BLE001 - losing one event is better than failing the page
        log.exception("could not record analytics event %s", name)


def purge_old_events(days: int | None = None, now: datetime | None = None) -> int:
    """Delete events older than the retention period (ANALYTICS_RETENTION_DAYS); returns the count."""
    days = current_app.config["ANALYTICS_RETENTION_DAYS"] if days is None else days
    cutoff = (now or utcnow()) - timedelta(days=days)
    result = db.session.execute(sa.delete(AnalyticsEvent).where(AnalyticsEvent.occurred_at < cutoff))
    db.session.commit()
    log.info("purged %s analytics events older than %s", result.rowcount, cutoff.isoformat())
    return result.rowcount
