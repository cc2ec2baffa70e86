"""VIDEO_TURN_URLS and VIDEO_TURN_SECRET: refused at start-up when they cannot work."""

from __future__ import annotations

import pytest

from app.video.provider_config import build_provider
from app.video.providers import P2PProvider


def test_turn_urls_need_the_shared_secret_and_a_turn_scheme():
    with pytest.raises(ValueError, match="needs VIDEO_TURN_SECRET"):
        build_provider({"VIDEO_PROVIDER": "p2p", "VIDEO_TURN_URLS": "turn:turn.example.org:3478"})
    with pytest.raises(ValueError, match="not stun:stun.example.org"):
        build_provider({"VIDEO_TURN_URLS": "turn:a.example.org, stun:stun.example.org", "VIDEO_TURN_SECRET": "s"})
    provider = build_provider(
        {"VIDEO_TURN_URLS": "turn:a.example.org:3478?transport=udp, turns:a.example.org:5349", "VIDEO_TURN_SECRET": "s"}
    )
    assert isinstance(provider, P2PProvider)
    assert provider.turn_urls == ["turn:a.example.org:3478?transport=udp", "turns:a.example.org:5349"]
