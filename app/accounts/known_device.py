"""The known-device cookie: a signed note that this browser signed in to an account before.

It is not a credential (it opens nothing); it only exempts its holder from the per-account slowdown
of the login throttle, so an attacker guessing from many addresses cannot slow the owner down
(OWASP's "device cookies").
"""

from __future__ import annotations

from flask import Response, current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer

COOKIE = "known_device"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="known-device")


def known_device_user_id() -> int | None:
    """The account this browser signed in to before, if its cookie is genuine and not too old."""
    value = request.cookies.get(COOKIE)
    if not value:
        return None
    try:
        data = _serializer().loads(value, max_age=current_app.config["KNOWN_DEVICE_DAYS"] * 86400)
    except BadSignature:
        return None
    return data.get("u") if isinstance(data, dict) and isinstance(data.get("u"), int) else None


def remember_device(response: Response, user_id: int) -> Response:
    """Mark this browser as one that completed a sign-in to `user_id`."""
    cfg = current_app.config
    response.set_cookie(
        COOKIE,
        _serializer().dumps({"u": user_id}),
        max_age=cfg["KNOWN_DEVICE_DAYS"] * 86400,
        httponly=True,
        secure=bool(cfg.get("SESSION_COOKIE_SECURE")),
        samesite="Lax",
    )
    return response
