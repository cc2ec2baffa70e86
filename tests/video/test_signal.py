"""POST /api/video/<id>/signal: a signal reaches the other participant's event stream, and only theirs."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
import time_machine

from app.extensions import db
from app.realtime.models import UserEvent
from tests.factories import UserFactory
from tests.video.helpers import FAR_START, paid_booking, signed_in

OFFER = {"kind": "description", "page": "tab1", "description": {"type": "offer", "sdp": "v=0\r\n"}}


def _events(user_id: int) -> list[tuple[str, dict]]:
    db.session.expire_all()
    rows = db.session.scalars(sa.select(UserEvent).where(UserEvent.user_id == user_id).order_by(UserEvent.id))
    return [(row.type, row.payload) for row in rows]


def test_an_offer_from_the_client_reaches_the_coachs_stream_only(app, client):
    booking = paid_booking()
    coach_id, client_id = booking.coach.user_id, booking.client_id
    with time_machine.travel(FAR_START, tick=False):
        headers = signed_in(app, client, booking.client)
        resp = client.post(f"/api/video/{booking.id}/signal", json={**OFFER, "extra": "dropped"}, headers=headers)
        assert (resp.status_code, resp.get_json()) == (202, {"kind": "description"})
        signal = {"booking_id": booking.id, "from": "client", **OFFER}
        assert _events(coach_id) == [("video.signal", signal)]
        assert _events(client_id) == []
        signed_in(app, client, booking.coach.user)
        polled = client.get("/api/events?since=0").get_json()
        assert [(e["type"], e["data"]) for e in polled["events"]] == [("video.signal", signal)]


def test_an_ice_candidate_from_the_coach_reaches_the_client(app, client):
    booking = paid_booking()
    candidate = {"candidate": "candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host", "sdpMid": "0",
                 "sdpMLineIndex": 0, "usernameFragment": "abcd"}  # fmt: skip
    with time_machine.travel(FAR_START + timedelta(minutes=70), tick=False):
        headers = signed_in(app, client, booking.coach.user)
        body = {"kind": "candidate", "page": "tab2", "candidate": candidate}
        assert client.post(f"/api/video/{booking.id}/signal", json=body, headers=headers).status_code == 202
    [(kind, payload)] = _events(booking.client_id)
    assert (kind, payload["from"], payload["candidate"]) == ("video.signal", "coach", candidate)


def test_the_connection_id_is_passed_on_when_given(app, client):
    booking = paid_booking()
    with time_machine.travel(FAR_START, tick=False):
        headers = signed_in(app, client, booking.coach.user)
        body = {**OFFER, "page": "tab2", "connection": "c0nn"}
        assert client.post(f"/api/video/{booking.id}/signal", json=body, headers=headers).status_code == 202
        welcome = {"kind": "welcome", "page": "tab2"}
        assert client.post(f"/api/video/{booking.id}/signal", json=welcome, headers=headers).status_code == 202
    assert [payload.get("connection") for _, payload in _events(booking.client_id)] == ["c0nn", None]


def test_a_stranger_or_a_late_signal_is_refused_with_the_reason_and_writes_nothing(app, client):
    booking = paid_booking()
    url = f"/api/video/{booking.id}/signal"
    with time_machine.travel(FAR_START, tick=False):
        resp = client.post(url, json=OFFER, headers=signed_in(app, client, UserFactory()))
        assert resp.status_code == 403
        assert resp.get_json()["error"]["message"] == "Only the booked client and coach can join this session."
    with time_machine.travel(FAR_START + timedelta(minutes=75), tick=False):
        resp = client.post(url, json=OFFER, headers=signed_in(app, client, booking.client))
        assert resp.status_code == 403
        assert resp.get_json()["error"]["message"] == "The session closed 15 minutes after the end."
    assert _events(booking.coach.user_id) == []


def test_malformed_signals_are_refused(app, client):
    booking = paid_booking()
    url = f"/api/video/{booking.id}/signal"
    with time_machine.travel(FAR_START, tick=False):
        headers = signed_in(app, client, booking.client)
        for body in (
            {"kind": "shout", "page": "tab"},
            {"kind": "hello"},
            {"kind": "description", "page": "tab", "description": {"type": "bogus", "sdp": ""}},
            {"kind": "description", "page": "tab", "description": {"type": "offer", "sdp": "x" * 64_001}},
            {"kind": "candidate", "page": "tab", "candidate": {"candidate": 5}},
            {**OFFER, "connection": 7},
            {**OFFER, "connection": "c" * 65},
        ):
            assert client.post(url, json=body, headers=headers).status_code == 400, body
        no_csrf = client.post(url, json=OFFER, headers={"Accept": "application/json"})
        assert (no_csrf.status_code, no_csrf.get_json()["error"]["code"]) == (400, "csrf_failed")
    assert _events(booking.coach.user_id) == []
