"""Short-lived TURN credentials in coturn's `use-auth-secret` style (the "TURN REST API" draft).

The TURN server and the app share VIDEO_TURN_SECRET. Each participant's page gets a username
`<expiry unix time>:<user id>` and, as its password, base64(HMAC-SHA1(secret, username)); coturn
recomputes the same HMAC and refuses a username whose time has passed. Nothing is stored, the secret
never reaches a browser, and credentials copied out of a page stop working when the join window closes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime


def credentials(urls: list[str], secret: str, user_id: int, expires_at: datetime) -> dict:
    """An RTCIceServer object for these TURN urls, valid until `expires_at` (UTC)."""
    username = f"{int(expires_at.timestamp())}:{user_id}"
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return {"urls": list(urls), "username": username, "credential": base64.b64encode(digest).decode()}


def parse_urls(raw: str) -> list[str]:
    """VIDEO_TURN_URLS: comma-separated turn: or turns: URLs (empty: no TURN server)."""
    urls = [u.strip() for u in (raw or "").split(",") if u.strip()]
    wrong = [u for u in urls if not u.startswith(("turn:", "turns:"))]
    if wrong:
        raise ValueError(f"VIDEO_TURN_URLS holds turn: or turns: URLs, not {', '.join(wrong)}.")
    return urls
