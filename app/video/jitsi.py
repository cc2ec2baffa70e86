"""Jitsi Meet, self-hosted (prosody token auth, HS256 with the app secret) or JaaS (RS256 with the
API key's private key and its `kid`): a random room name per booking and a JWT per participant.

The token holds the room (never `*`), `nbf`/`exp` = the join window, the participant's id and name,
`moderator` (and the `owner` affiliation) for the coach only, and `features.lobby_bypass` for both,
so a lobby keeps everyone else out while the booked pair walk in. Nothing is called at Jitsi: the
room exists once someone joins it with a valid token. Attendance comes from prosody's event_sync
component (app.video.provider_webhooks). Tested by decoding the tokens, not against a Jitsi server.
"""

from __future__ import annotations

from urllib.parse import quote

from joserfc import jwt
from joserfc.jwk import OctKey, RSAKey

from app.booking.models import Booking
from app.video.access import join_window
from app.video.hosted import participant_id, room_row, unix
from app.video.providers import Room, VideoProvider


class JitsiProvider(VideoProvider):
    """The session page frames https://<server>/<room>?jwt=<token>."""

    name = "jitsi"

    def __init__(self, base_url: str, app_id: str, subject: str, *, secret=None, private_key=None, key_id=None):
        if not (secret or (private_key and key_id)):
            raise ValueError("Jitsi needs JITSI_APP_SECRET (self-hosted) or JITSI_PRIVATE_KEY and JITSI_KEY_ID (JaaS).")
        self.base_url, self.app_id, self.subject = base_url.rstrip("/"), app_id, subject
        self.jaas = private_key is not None
        self.key = RSAKey.import_key(private_key) if self.jaas else OctKey.import_key(secret)
        self.header = {"alg": "RS256", "kid": key_id, "typ": "JWT"} if self.jaas else {"alg": "HS256", "typ": "JWT"}

    def room_path(self, room_name: str) -> str:
        """The room's path at the server (JaaS rooms live under the app id)."""
        return f"{self.app_id}/{room_name}" if self.jaas else room_name

    def token(self, booking: Booking, room_name: str, user, role: str) -> str:
        """The participant's JWT for this room only, valid during the join window."""
        opens, closes = join_window(booking)
        moderator = role == "coach"
        user_claims = {"id": participant_id(user), "name": user.full_name, "moderator": moderator}
        user_claims["affiliation"] = "owner" if moderator else "member"
        claims = {
            "aud": "jitsi",
            "iss": "chat" if self.jaas else self.app_id,
            "sub": self.subject,
            "room": room_name,
            "nbf": unix(opens),
            "exp": unix(closes),
            "moderator": moderator,
            "context": {"user": user_claims, "features": {"lobby_bypass": True}},
        }
        return jwt.encode(self.header, claims, self.key)

    def room(self, booking: Booking, user, role: str) -> Room:
        """The room at the Jitsi server, with this participant's token."""
        row = room_row(booking, self.name)
        url = f"{self.base_url}/{quote(self.room_path(row.name))}"
        token = self.token(booking, row.name, user, role)
        return Room(template="video/hosted.html", browser={"frameUrl": f"{url}?jwt={token}"}, frame_url=url)
