"""Attendance from Daily's signed webhooks and prosody's event_sync (Jitsi): each event applied once,
replays and out-of-order deliveries change nothing, forged or stale ones write nothing."""

from __future__ import annotations

import base64
import json
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.video import daily
from app.video.models import AttendanceInterval
from app.video.room_models import VideoProviderEvent, VideoRoom
from tests.factories import UserFactory
from tests.video.helpers import FAR_START, paid_booking

SECRET = base64.b64encode(b"daily-hmac-secret").decode()
JOINED, LEFT = FAR_START + timedelta(seconds=30), FAR_START + timedelta(minutes=55)


@pytest.fixture
def booking(app, monkeypatch):
    booking = paid_booking()
    for provider, name in (("daily", "cc-daily0000000000000000000"), ("jitsi", "cc-jitsi0000000000000000000")):
        db.session.add(VideoRoom(booking_id=booking.id, provider=provider, name=name))
    db.session.commit()
    return booking


@pytest.fixture
def configured(app, monkeypatch):
    def use(provider: str):
        monkeypatch.setitem(app.config, "VIDEO_PROVIDER", provider)
        monkeypatch.setitem(app.config, "DAILY_WEBHOOK_SECRET", SECRET)
        monkeypatch.setitem(app.config, "JITSI_WEBHOOK_TOKEN", "event-sync-token")

    return use


def _daily_event(kind: str, user_id: int, at, event_id: str) -> dict:
    payload = {"room": "cc-daily0000000000000000000", "user_id": str(user_id), "session_id": "s-1"}
    payload["joined_at"] = JOINED.timestamp()
    if kind == "left":
        payload["duration"] = (LEFT - JOINED).total_seconds()
    return {
        "version": "1.0.0",
        "type": f"participant.{kind}",
        "id": event_id,
        "payload": payload,
        "event_ts": at.timestamp(),
    }


def _post_daily(client, event: dict, secret: str = SECRET, stamp: int | None = None):
    body = json.dumps(event).encode()
    stamp = str(stamp or int(time.time()))
    headers = {"X-Webhook-Timestamp": stamp, "X-Webhook-Signature": daily.signature(secret, stamp, body)}
    return client.post("/webhooks/daily", data=body, headers=headers, content_type="application/json")


def _intervals(booking) -> list[tuple[str, str, int, int, bool]]:
    db.session.expire_all()
    rows = db.session.scalars(
        sa.select(AttendanceInterval).where(AttendanceInterval.booking_id == booking.id).order_by(AttendanceInterval.id)
    )
    seconds = lambda moment: int((moment - FAR_START).total_seconds())  # noqa: E731
    return [(r.provider, r.role, seconds(r.started_at), seconds(r.ended_at), r.is_open) for r in rows]


def test_daily_joins_and_leaves_become_one_interval_whatever_the_order_and_replays(client, booking, configured):
    configured("daily")
    joined = _daily_event("joined", booking.client_id, JOINED, "ptcpt-join-1")
    left = _daily_event("left", booking.client_id, LEFT, "ptcpt-left-1")
    first = _post_daily(client, left)  # the leave overtakes the join
    assert first.status_code == 200 and first.json == {"received": True, "duplicate": False}
    assert _post_daily(client, joined).json["duplicate"] is False
    for _ in range(3):
        assert _post_daily(client, joined).json == {"received": True, "duplicate": True}
        assert _post_daily(client, left).json == {"received": True, "duplicate": True}
    assert _intervals(booking) == [("daily", "client", 30, 55 * 60, False)]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(VideoProviderEvent)) == 2


def test_daily_events_forged_stale_or_about_strangers_write_nothing(client, booking, configured):
    configured("daily")
    event = _daily_event("joined", booking.client_id, JOINED, "ptcpt-join-2")
    wrong = base64.b64encode(b"someone-else").decode()
    assert _post_daily(client, event, secret=wrong).status_code == 401
    assert _post_daily(client, event, stamp=int(time.time()) - 600).status_code == 401  # replayed later
    unsigned = client.post("/webhooks/daily", json=event)
    assert unsigned.status_code == 401 and unsigned.json["error"]["code"] == "bad_signature"
    stranger = _daily_event("joined", UserFactory().id, JOINED, "ptcpt-join-3")
    assert _post_daily(client, stranger).json["ignored"] == "not a participant of this booking"
    elsewhere = dict(event, id="ptcpt-join-4", payload=dict(event["payload"], room="cc-not-ours"))
    assert _post_daily(client, elsewhere).json["ignored"] == "unknown room or participant"
    assert _post_daily(client, {"test": "test"}).json["ignored"] == "event type"  # Daily's endpoint check
    assert _intervals(booking) == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(VideoProviderEvent)) == 0


def _occupant(kind: str, user_id: int, jid: str = "c1@meet.example.org/a") -> dict:
    occupant = {"id": str(user_id), "name": "X", "occupant_jid": jid, "joined_at": int(JOINED.timestamp())}
    if kind == "left":
        occupant["left_at"] = int(LEFT.timestamp())
    return {"event_name": f"muc-occupant-{kind}", "room_name": "cc-jitsi0000000000000000000", "occupant": occupant}


def _post_jitsi(client, kind: str, body: dict, token: str = "event-sync-token"):
    headers = {"Authorization": f"Bearer {token}"}
    return client.post(f"/webhooks/jitsi/events/occupant/{kind}", json=body, headers=headers)


def test_jitsi_event_sync_joins_and_leaves_with_the_shared_token(client, booking, configured):
    configured("jitsi")
    coach = booking.coach.user_id
    assert _post_jitsi(client, "joined", _occupant("joined", coach), token="guess").status_code == 401
    assert client.post("/webhooks/jitsi/events/occupant/joined", json=_occupant("joined", coach)).status_code == 401
    assert _intervals(booking) == []
    for _ in range(3):
        assert _post_jitsi(client, "joined", _occupant("joined", coach)).status_code == 200
        assert _post_jitsi(client, "left", _occupant("left", coach)).status_code == 200
    assert _intervals(booking) == [("jitsi", "coach", 30, 55 * 60, False)]
    room = client.post(
        "/webhooks/jitsi/events/room/created",
        json={"room_name": "x"},
        headers={"Authorization": "Bearer event-sync-token"},
    )
    assert room.json["ignored"] == "event type"


def test_a_providers_webhook_is_not_found_unless_that_provider_is_in_use(client, booking, configured):
    assert client.post("/webhooks/daily", json={}).status_code == 404
    configured("daily")
    assert _post_jitsi(client, "joined", _occupant("joined", booking.client_id)).status_code == 404
