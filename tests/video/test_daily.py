"""VIDEO_PROVIDER=daily against a local HTTP server replaying Daily's REST API (pytest-httpserver):
one private room per booking with the join window as nbf/exp, one meeting token per participant
(owner: the coach only), the page framing the room; Daily failing answers 503 and breaks nothing."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from html import unescape

import pytest
import sqlalchemy as sa
import time_machine
from werkzeug import Response

from app.extensions import db
from app.video.daily import DailyProvider
from app.video.room_models import VideoRoom
from tests.video.helpers import FAR_START, paid_booking, signed_in

OPENS, CLOSES = FAR_START - timedelta(minutes=10), FAR_START + timedelta(minutes=60 + 15)


@pytest.fixture
def daily(app, httpserver, monkeypatch):
    monkeypatch.setitem(app.config, "VIDEO_PROVIDER", "daily")
    monkeypatch.setitem(app.extensions, "video_provider", DailyProvider(httpserver.url_for("/v1"), "daily-key"))
    return httpserver


def _serve_rooms(server, tokens: list[str]) -> None:
    def create_room(request):
        body = request.get_json()
        return Response(json.dumps({"name": body["name"], "url": f"https://coach.daily.co/{body['name']}"}), 200)

    def create_token(request):
        return Response(json.dumps({"token": tokens.pop(0)}), 200, content_type="application/json")

    server.expect_request("/v1/rooms", method="POST").respond_with_handler(create_room)
    server.expect_request("/v1/meeting-tokens", method="POST").respond_with_handler(create_token)


def _bodies(server, path: str) -> list[dict]:
    return [json.loads(req.get_data()) for req, _ in server.log if req.path == path]


def _frame(html: str) -> str:
    return unescape(re.search(r'<iframe src="([^"]+)"', html).group(1))


def test_each_participant_gets_a_token_for_one_private_room_opening_with_the_window(app, client, daily):
    booking = paid_booking()
    _serve_rooms(daily, ["tok-client", "tok-coach"])
    with time_machine.travel(OPENS, tick=False):
        pages = []
        for user in (booking.client, booking.coach.user):
            signed_in(app, client, user)
            pages.append(client.get(f"/bookings/{booking.id}/session"))
    assert [p.status_code for p in pages] == [200, 200]
    (room,) = _bodies(daily, "/v1/rooms")  # one room for both
    name = room["name"]
    assert re.fullmatch(r"cc-[0-9a-f]{24}", name)  # 96 random bits, nothing derived from ids
    assert room == {
        "name": name,
        "privacy": "private",
        "properties": {"nbf": int(OPENS.timestamp()), "exp": int(CLOSES.timestamp()), "eject_at_room_exp": True},
    }
    assert daily.log[0][0].headers["Authorization"] == "Bearer daily-key"
    client_token, coach_token = (body["properties"] for body in _bodies(daily, "/v1/meeting-tokens"))
    assert client_token == {
        "room_name": name,
        "user_id": str(booking.client_id),
        "user_name": booking.client.full_name,
        "exp": int(CLOSES.timestamp()),
        "is_owner": False,
        "eject_at_token_exp": True,
    }
    assert coach_token["is_owner"] is True and coach_token["user_id"] == str(booking.coach.user_id)
    html = pages[0].get_data(as_text=True)
    assert _frame(html) == f"https://coach.daily.co/{name}?t=tok-client"
    assert _frame(pages[1].get_data(as_text=True)).endswith("?t=tok-coach")
    assert 'allow="camera; microphone' in html and "js/video-call.js" not in html
    assert "frame-src https://coach.daily.co" in pages[0].headers["Content-Security-Policy"]
    assert "frame-src" not in client.get("/").headers["Content-Security-Policy"]  # only the session page


def test_daily_failing_answers_503_and_the_next_visit_makes_the_room(app, client, daily):
    booking = paid_booking()
    daily.expect_oneshot_request("/v1/rooms", method="POST").respond_with_data("upstream down", status=502)
    with time_machine.travel(OPENS, tick=False):
        signed_in(app, client, booking.client)
        failed = client.get(f"/bookings/{booking.id}/session")
        assert failed.status_code == 503
        assert "The video service refused the request (502). Try again." in failed.get_data(as_text=True)
        row = db.session.scalars(sa.select(VideoRoom).where(VideoRoom.booking_id == booking.id)).one()
        assert row.url is None  # the name is kept, so the retry asks for the same room
        _serve_rooms(daily, ["tok"])
        again = client.get(f"/bookings/{booking.id}/session")
    assert again.status_code == 200 and _frame(again.get_data(as_text=True)).endswith(f"/{row.name}?t=tok")
    assert [b["name"] for b in _bodies(daily, "/v1/rooms")] == [row.name, row.name]


def test_a_room_the_other_participant_just_made_is_read_back(app, client, daily):
    booking = paid_booking()
    db.session.add(VideoRoom(booking_id=booking.id, provider="daily", name="cc-0123456789abcdef01234567"))
    db.session.commit()
    message = {"error": "invalid-request-error", "info": "a room named cc-0123456789abcdef01234567 already exists"}
    daily.expect_request("/v1/rooms", method="POST").respond_with_json(message, status=400)
    daily.expect_request("/v1/rooms/cc-0123456789abcdef01234567", method="GET").respond_with_json(
        {"name": "cc-0123456789abcdef01234567", "url": "https://coach.daily.co/cc-0123456789abcdef01234567"}
    )
    daily.expect_request("/v1/meeting-tokens", method="POST").respond_with_json({"token": "tok"})
    with time_machine.travel(OPENS, tick=False):
        signed_in(app, client, booking.coach.user)
        resp = client.get(f"/bookings/{booking.id}/session")
    assert resp.status_code == 200
    assert _frame(resp.get_data(as_text=True)) == "https://coach.daily.co/cc-0123456789abcdef01234567?t=tok"
