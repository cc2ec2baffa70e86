"""Jinja filters and globals: local times in the viewer's zone, money, CSRF, the bare confirm form and CSP nonce.

Domains register their own globals (payments' test-mode banner, the staff navigation) in their
`init_app`.
"""

from __future__ import annotations

import functools
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from flask import Flask, current_app, g, has_request_context, request
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from app.core.db import utcnow
from app.core.forms import ConfirmForm
from app.core.money import format_money


def viewer_zone() -> ZoneInfo:
    """The logged-in user's time zone; for a visitor the browser's (the `tz` cookie app.js sets),
    else the configured default."""
    name = getattr(current_user, "timezone", None)
    if not name and has_request_context():
        name = _zone_or_none(request.cookies.get("tz", "")[:64])
    try:
        return ZoneInfo(name or current_app.config["DEFAULT_TIMEZONE"])
    except ZoneInfoNotFoundError:
        return ZoneInfo("UTC")


def _zone_or_none(name: str) -> str | None:
    """`name` if it is a time zone this machine knows."""
    return name if name in _known_zones() else None


@functools.cache
def _known_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def local_time(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A UTC timestamp shown in the viewer's time zone, with the zone's abbreviation."""
    if value is None:
        return "—"
    local = value.astimezone(viewer_zone())
    return f"{local.strftime(fmt)} {local.tzname()}"


def age(value: datetime | None) -> str:
    """'3 h', '2 d' since the timestamp."""
    if value is None:
        return "—"
    seconds = int((utcnow() - value).total_seconds())
    if seconds < 3600:
        return f"{max(seconds // 60, 0)} min"
    if seconds < 86400 * 2:
        return f"{seconds // 3600} h"
    return f"{seconds // 86400} d"


def counted(n: int, singular: str, plural: str | None = None) -> str:
    """'1 review', '3 reviews' (or the given plural)."""
    return f"{n} {singular if n == 1 else plural or singular + 's'}"


def init_templates(app: Flask) -> None:
    """Register the filters and globals every domain's templates use."""
    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.filters["age"] = age
    app.jinja_env.filters["counted"] = counted
    app.jinja_env.filters["money"] = lambda amount, currency: format_money(amount, currency)
    app.jinja_env.globals["csrf_token"] = generate_csrf
    app.jinja_env.globals["confirm_form"] = ConfirmForm  # a bare POST button: {{ confirm_form().csrf_token(id=False) }}
    app.jinja_env.globals["csp_nonce"] = lambda: getattr(g, "csp_nonce", "")
    app.jinja_env.globals["viewer_zone_name"] = lambda: viewer_zone().key

    @app.context_processor
    def view_functions():
        return {"view_functions": current_app.view_functions}
