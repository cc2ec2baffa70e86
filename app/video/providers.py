"""The video provider interface and its implementations, chosen by VIDEO_PROVIDER.

`p2p` (here): a browser-to-browser WebRTC call whose offers, answers and ICE candidates the server
relays between the two booked users over their event streams, with STUN/TURN servers from
VIDEO_ICE_SERVERS and short-lived TURN credentials (app.video.turn). `daily` and `jitsi` frame a
hosted room (app.video.daily, app.video.jitsi); app.video.provider_config picks one.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from dataclasses import dataclass, field

from flask import current_app, url_for

from app.booking.models import Booking
from app.realtime import events
from app.video import turn
from app.video.access import join_window
from app.video.attendance import HEARTBEAT_SECONDS


@dataclass(frozen=True)
class Room:
    """What the session page needs to put `user` into the booking's call."""

    template: str
    browser: dict = field(default_factory=dict)  # handed to the page's script as JSON
    frame_url: str | None = None  # a hosted provider's room, framed by the page (its origin joins frame-src)


class VideoProvider(ABC):
    """One way of holding a booking's video session."""

    name: str

    @abstractmethod
    def room(self, booking: Booking, user, role: str) -> Room:
        """The room for this participant (the join window is already checked)."""


class P2PProvider(VideoProvider):
    """Browser to browser: plain RTCPeerConnection, signalling relayed by POST /api/video/<id>/signal,
    attendance reported by the page's heartbeats to POST /api/video/<id>/attendance."""

    name = "p2p"

    def __init__(self, ice_servers: list[dict], turn_urls: list[str] | None = None, turn_secret: str | None = None):
        self.ice_servers = ice_servers
        self.turn_urls, self.turn_secret = turn_urls or [], turn_secret

    def ice_servers_for(self, booking: Booking, user) -> list[dict]:
        """VIDEO_ICE_SERVERS, plus the TURN servers with credentials that expire when the join window closes."""
        if not (self.turn_urls and self.turn_secret):
            return list(self.ice_servers)
        expires_at = join_window(booking)[1]
        return [*self.ice_servers, turn.credentials(self.turn_urls, self.turn_secret, user.id, expires_at)]

    def room(self, booking: Booking, user, role: str) -> Room:
        """The call's settings: ICE servers, where to signal, where the stream starts, who is polite."""
        return Room(
            template="video/p2p.html",
            browser={
                "bookingId": booking.id,
                "iceServers": self.ice_servers_for(booking, user),
                "signalUrl": url_for("api.video_signal", booking_id=booking.id),
                "attendanceUrl": url_for("api.video_attendance", booking_id=booking.id),
                "heartbeatSeconds": HEARTBEAT_SECONDS,
                "streamUrl": url_for("api.event_stream"),
                "cursor": events.head(user.id),  # older signals belong to earlier visits
                "polite": role == "client",  # perfect negotiation: the client yields on a collision
            },
        )


def parse_ice_servers(raw: str) -> list[dict]:
    """VIDEO_ICE_SERVERS: a JSON list of RTCIceServer objects, each with `urls`."""
    try:
        servers = json.loads(raw or "[]")
    except ValueError as exc:
        raise ValueError(f"VIDEO_ICE_SERVERS is not JSON: {exc}") from None
    if not isinstance(servers, list) or not all(isinstance(s, dict) and s.get("urls") for s in servers):
        raise ValueError('VIDEO_ICE_SERVERS is a JSON list of {"urls": ...} objects.')
    return servers


def provider() -> VideoProvider:
    """The current app's video provider."""
    return current_app.extensions["video_provider"]
