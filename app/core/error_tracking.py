"""Error tracking with the Sentry SDK, on only when SENTRY_DSN is set.

Flask and rq integrations; no personal data leaves: `scrub` drops cookies, auth headers, request
bodies and user details, masks e-mail addresses and every value under a key naming a token,
password, secret or message body. The release is the git sha; the request id is a tag.
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
FILTERED = "[Filtered]"
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
SECRET_KEYS = re.compile(
    r"token|password|passwd|secret|authorization|cookie|session|csrf|otp|body|message_text|dsn", re.I
)
_enabled = False


def release() -> str | None:
    """SENTRY_RELEASE, else GIT_SHA, else the checkout's `git rev-parse HEAD`."""
    for name in ("SENTRY_RELEASE", "GIT_SHA"):
        if os.environ.get(name):
            return os.environ[name]
    try:
        done = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, timeout=2, check=True
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() or None


def _clean(value: Any, key: str = "") -> Any:
    if key and SECRET_KEYS.search(key):
        return FILTERED
    if isinstance(value, dict):
        return {k: _clean(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, str):
        return EMAIL.sub(FILTERED, value)
    return value


def scrub(event: dict, hint: dict | None = None) -> dict:
    """before_send / before_send_transaction: remove personal data from an event."""
    request = event.get("request") or {}
    for key in ("cookies", "data", "env"):
        request.pop(key, None)
    if "query_string" in request:
        request["query_string"] = FILTERED if request["query_string"] else ""
    headers = request.get("headers") or {}
    for name in list(headers):
        if name.lower() in ("cookie", "authorization", "x-csrftoken", "x-csrf-token"):
            headers[name] = FILTERED
    user = event.get("user") or {}
    event["user"] = {"id": user["id"]} if "id" in user else {}
    return _clean(event)


def init_error_tracking(config) -> bool:
    """Start the SDK when SENTRY_DSN is set (once per process); True when it is on."""
    global _enabled
    dsn = config.get("SENTRY_DSN")
    if not dsn:
        return False
    if _enabled:
        return True
    import sentry_sdk
    from sentry_sdk.integrations.flask import FlaskIntegration
    from sentry_sdk.integrations.rq import RqIntegration

    sentry_sdk.init(
        dsn=dsn,
        release=release(),
        environment=config.get("ENV_NAME"),
        integrations=[FlaskIntegration(), RqIntegration()],
        # No user details, cookies, bodies, query strings, SQL values or local variables are collected.
        data_collection={
            "user_info": False,
            "cookies": {"mode": "off"},
            "http_bodies": [],
            "url_query_params": {"mode": "off"},
            "http_headers": {"request": {"mode": "denylist", "terms": ["cookie", "authorization", "forwarded"]}},
            "database_query_data": False,
            "queues": False,
            "stack_frame_variables": False,
        },
        before_send=scrub,
        before_send_transaction=scrub,
        traces_sample_rate=float(config.get("SENTRY_TRACES_SAMPLE_RATE") or 0),
    )
    _enabled = True
    log.info("error tracking on (release %s)", release())
    return True


def shutdown() -> None:
    """Flush and stop the SDK (tests; a process that exits does this by itself)."""
    global _enabled
    if _enabled:
        import sentry_sdk

        sentry_sdk.flush(timeout=5)
        sentry_sdk.get_client().close()
        sentry_sdk.init(dsn=None)
        _enabled = False


def tag_request_id(request_id: str | None) -> None:
    """Tag what the SDK sends from this request or job with its request id."""
    if _enabled and request_id:
        import sentry_sdk

        sentry_sdk.set_tag("request_id", request_id)
