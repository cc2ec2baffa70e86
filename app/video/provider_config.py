"""VIDEO_PROVIDER and its settings → the app's video provider (refused at start-up when incomplete)."""

from __future__ import annotations

from urllib.parse import urlsplit

from app.video import turn
from app.video.daily import DailyProvider
from app.video.jitsi import JitsiProvider
from app.video.providers import P2PProvider, VideoProvider, parse_ice_servers


def _require(config, *names: str) -> None:
    missing = [n for n in names if not config.get(n)]
    if missing:
        raise ValueError(f"VIDEO_PROVIDER={config.get('VIDEO_PROVIDER')} needs {', '.join(missing)}.")


def _p2p(config) -> P2PProvider:
    turn_urls = turn.parse_urls(config.get("VIDEO_TURN_URLS", ""))
    if turn_urls and not config.get("VIDEO_TURN_SECRET"):
        raise ValueError("VIDEO_TURN_URLS needs VIDEO_TURN_SECRET, the TURN server's static-auth-secret.")
    ice = parse_ice_servers(config.get("VIDEO_ICE_SERVERS", "[]"))
    return P2PProvider(ice, turn_urls, config.get("VIDEO_TURN_SECRET"))


def _daily(config) -> DailyProvider:
    _require(config, "DAILY_API_KEY", "DAILY_WEBHOOK_SECRET")
    return DailyProvider(config.get("DAILY_API_URL") or "https://api.daily.co/v1", config["DAILY_API_KEY"])


def _jitsi(config) -> JitsiProvider:
    _require(config, "JITSI_BASE_URL", "JITSI_APP_ID", "JITSI_WEBHOOK_TOKEN")
    jaas = bool(config.get("JITSI_PRIVATE_KEY"))
    if jaas:
        _require(config, "JITSI_KEY_ID")
    else:
        _require(config, "JITSI_APP_SECRET")
    subject = config.get("JITSI_SUBJECT") or (
        config["JITSI_APP_ID"] if jaas else urlsplit(config["JITSI_BASE_URL"]).hostname
    )
    return JitsiProvider(
        config["JITSI_BASE_URL"],
        config["JITSI_APP_ID"],
        subject,
        secret=config.get("JITSI_APP_SECRET"),
        private_key=config.get("JITSI_PRIVATE_KEY"),
        key_id=config.get("JITSI_KEY_ID"),
    )


BUILDERS = {"p2p": _p2p, "daily": _daily, "jitsi": _jitsi}


def build_provider(config) -> VideoProvider:
    """The provider named by VIDEO_PROVIDER (p2p, daily or jitsi)."""
    name = config.get("VIDEO_PROVIDER", "p2p")
    if name not in BUILDERS:
        raise ValueError(f"VIDEO_PROVIDER={name!r} is not one of {', '.join(BUILDERS)}.")
    return BUILDERS[name](config)
