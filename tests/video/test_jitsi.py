"""VIDEO_PROVIDER=jitsi: a random room per booking and a JWT per participant (self-hosted HS256, or
JaaS RS256 with its kid), decoded here with the server's key: room, window, moderator for the coach."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from joserfc import jwt
from joserfc.errors import BadSignatureError
from joserfc.jwk import OctKey, RSAKey

from app.video.jitsi import JitsiProvider
from app.video.provider_config import build_provider
from tests.video.helpers import FAR_START, paid_booking, signed_in

OPENS, CLOSES = FAR_START - timedelta(minutes=10), FAR_START + timedelta(minutes=60 + 15)
SECRET = "jitsi-app-secret-of-thirty-two-chars!"


def _visit(app, client, booking, user) -> tuple[str, str, dict]:
    """(room URL, the raw token, the page's CSP) of the session page for `user`."""
    with time_machine.travel(OPENS, tick=False):
        signed_in(app, client, user)
        resp = client.get(f"/bookings/{booking.id}/session")
    assert resp.status_code == 200, resp.get_data(as_text=True)
    frame = unescape(re.search(r'<iframe src="([^"]+)"', resp.get_data(as_text=True)).group(1))
    parts = urlsplit(frame)
    return f"{parts.scheme}://{parts.netloc}{parts.path}", parse_qs(parts.query)["jwt"][0], resp.headers


@pytest.fixture
def self_hosted(app, monkeypatch):
    monkeypatch.setitem(app.config, "VIDEO_PROVIDER", "jitsi")
    provider = JitsiProvider("https://meet.example.org", "coach-connect", "meet.example.org", secret=SECRET)
    monkeypatch.setitem(app.extensions, "video_provider", provider)


def test_self_hosted_tokens_hold_the_room_the_window_and_moderator_for_the_coach_only(app, client, self_hosted):
    booking = paid_booking()
    url, client_token, headers = _visit(app, client, booking, booking.client)
    coach_url, coach_token, _ = _visit(app, client, booking, booking.coach.user)
    room = url.rsplit("/", 1)[1]
    assert url == coach_url and re.fullmatch(r"https://meet.example.org/cc-[0-9a-f]{24}", url)
    assert "frame-src https://meet.example.org" in headers["Content-Security-Policy"]
    claims = jwt.decode(client_token, OctKey.import_key(SECRET)).claims
    assert claims == {
        "aud": "jitsi",
        "iss": "coach-connect",
        "sub": "meet.example.org",
        "room": room,
        "nbf": int(OPENS.timestamp()),
        "exp": int(CLOSES.timestamp()),
        "moderator": False,
        "context": {
            "user": {
                "id": str(booking.client_id),
                "name": booking.client.full_name,
                "moderator": False,
                "affiliation": "member",
            },
            "features": {"lobby_bypass": True},
        },
    }
    coach = jwt.decode(coach_token, OctKey.import_key(SECRET)).claims
    assert (coach["moderator"], coach["context"]["user"]["affiliation"], coach["room"]) == (True, "owner", room)
    with pytest.raises(BadSignatureError):
        jwt.decode(client_token, OctKey.import_key("another-secret-of-thirty-two-chars!!"))


def test_jaas_tokens_are_rs256_with_the_key_id_and_rooms_under_the_app_id(app, client, monkeypatch):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    config = {
        "VIDEO_PROVIDER": "jitsi",
        "JITSI_BASE_URL": "https://8x8.vc",
        "JITSI_APP_ID": "vpaas-magic-cookie-abc",
        "JITSI_PRIVATE_KEY": pem.decode(),
        "JITSI_KEY_ID": "vpaas-magic-cookie-abc/4f4910",
        "JITSI_WEBHOOK_TOKEN": "hook",
    }
    monkeypatch.setitem(app.extensions, "video_provider", build_provider(config))
    booking = paid_booking()
    url, token, _ = _visit(app, client, booking, booking.coach.user)
    public = RSAKey.import_key(
        key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    decoded = jwt.decode(token, public)
    assert decoded.header == {"alg": "RS256", "kid": "vpaas-magic-cookie-abc/4f4910", "typ": "JWT"}
    room = decoded.claims["room"]
    assert url == f"https://8x8.vc/vpaas-magic-cookie-abc/{room}"
    assert (decoded.claims["iss"], decoded.claims["sub"], decoded.claims["moderator"]) == (
        "chat",
        "vpaas-magic-cookie-abc",
        True,
    )


def test_an_incomplete_jitsi_or_daily_configuration_refuses_to_start():
    with pytest.raises(ValueError, match="needs JITSI_APP_SECRET"):
        build_provider(
            {
                "VIDEO_PROVIDER": "jitsi",
                "JITSI_BASE_URL": "https://m.example.org",
                "JITSI_APP_ID": "a",
                "JITSI_WEBHOOK_TOKEN": "t",
            }
        )
    with pytest.raises(ValueError, match="needs DAILY_WEBHOOK_SECRET"):
        build_provider({"VIDEO_PROVIDER": "daily", "DAILY_API_KEY": "k"})
    with pytest.raises(ValueError, match="not one of p2p, daily, jitsi"):
        build_provider({"VIDEO_PROVIDER": "zoom"})
