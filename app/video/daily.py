"""Daily.co: a private room per booking and a meeting token per participant, over Daily's REST API.

The room (`POST /rooms`) is private, opens at the join window's start (`nbf`) and closes at its end
(`exp`, `eject_at_room_exp`). Each participant gets a meeting token (`POST /meeting-tokens`) for that
room only, with our user id (sent back in webhooks), the same expiry, and `is_owner` for the coach
only. Webhooks (`participant.joined` / `participant.left`) are signed: base64 HMAC-SHA256 over
`<X-Webhook-Timestamp>.<raw body>` with the base64-decoded secret Daily returned for the webhook.
Tested against a local HTTP server replaying the documented shapes, not against Daily itself.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import time

import requests

from app.booking.models import Booking
from app.core.effects import commit
from app.video.access import join_window
from app.video.hosted import VideoProviderUnavailable, participant_id, room_row, unix
from app.video.providers import Room, VideoProvider

SIGNATURE_TOLERANCE_SECONDS = 300


class DailyProvider(VideoProvider):
    """Rooms and tokens at Daily; the session page frames the room's URL with the participant's token."""

    name = "daily"

    def __init__(self, api_url: str, api_key: str, timeout: float = 10.0):
        self.api_url, self.api_key, self.timeout = api_url.rstrip("/"), api_key, timeout

    def _call(self, method: str, path: str, **kwargs) -> requests.Response:
        headers = {"Authorization": f"Bearer {self.api_key}"}
        try:
            resp = requests.request(method, self.api_url + path, headers=headers, timeout=self.timeout, **kwargs)
        except requests.RequestException as exc:
            raise VideoProviderUnavailable("The video service did not answer. Try again in a minute.") from exc
        if resp.status_code >= 500 or resp.status_code in (401, 403, 429):
            raise VideoProviderUnavailable(f"The video service refused the request ({resp.status_code}). Try again.")
        return resp

    def _ensure_room(self, booking: Booking) -> tuple[str, str]:
        row = room_row(booking, self.name)
        if row.url:
            return row.name, row.url
        opens, closes = join_window(booking)
        body = {
            "name": row.name,
            "privacy": "private",
            "properties": {"nbf": unix(opens), "exp": unix(closes), "eject_at_room_exp": True},
        }
        resp = self._call("POST", "/rooms", json=body)
        if resp.status_code == 400 and "already exists" in resp.text:  # the other participant won the race
            resp = self._call("GET", f"/rooms/{row.name}")
        if resp.status_code != 200 or not resp.json().get("url"):
            raise VideoProviderUnavailable(f"The video service could not make the room ({resp.status_code}).")
        row.url = resp.json()["url"]
        commit()
        return row.name, row.url

    def meeting_token(self, booking: Booking, room_name: str, user, role: str) -> str:
        """A token for this room only, this participant, until the room closes; owner for the coach."""
        properties = {
            "room_name": room_name,
            "user_id": participant_id(user),
            "user_name": user.full_name,
            "exp": unix(join_window(booking)[1]),
            "is_owner": role == "coach",
            "eject_at_token_exp": True,
        }
        resp = self._call("POST", "/meeting-tokens", json={"properties": properties})
        token = resp.json().get("token") if resp.status_code == 200 else None
        if not token:
            raise VideoProviderUnavailable(f"The video service gave no meeting token ({resp.status_code}).")
        return token

    def room(self, booking: Booking, user, role: str) -> Room:
        """The room's URL with this participant's token, framed by the session page."""
        name, url = self._ensure_room(booking)
        token = self.meeting_token(booking, name, user, role)
        return Room(template="video/hosted.html", browser={"frameUrl": f"{url}?t={token}"}, frame_url=url)


def signature(secret_b64: str, timestamp: str, body: bytes) -> str:
    """Daily's webhook signature of `body` sent at `timestamp`."""
    key = base64.b64decode(secret_b64)
    return base64.b64encode(hmac.new(key, timestamp.encode() + b"." + body, hashlib.sha256).digest()).decode()


def verify(secret_b64: str, timestamp: str | None, sent: str | None, body: bytes, now: float | None = None) -> bool:
    """The signature matches and the timestamp (seconds or milliseconds) is recent."""
    if not (secret_b64 and timestamp and sent):
        return False
    try:
        expected = signature(secret_b64, timestamp, body)
        stamp = float(timestamp)
    except (ValueError, binascii.Error):
        return False
    stamp = stamp / 1000 if stamp > 1e11 else stamp
    fresh = abs((now or time.time()) - stamp) <= SIGNATURE_TOLERANCE_SECONDS
    return fresh and hmac.compare_digest(expected, sent)
