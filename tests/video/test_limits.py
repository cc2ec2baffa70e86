"""The call's POSTs are limited per user, booking and minute (in Redis, or in the process without
it): past the limit 429 with Retry-After; the next minute, or another booking, goes through."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from redis import Redis

from app.video import limits
from tests.video.helpers import FAR_START, paid_booking, signed_in

BEAT = {"event": "beat", "connection_state": "connected", "bytes_sent": 10, "bytes_received": 10}
HELLO = {"kind": "hello", "page": "tab"}


@pytest.fixture(params=["redis", "process"])
def counter(request, monkeypatch):
    if request.param == "redis":
        connection = Redis.from_url(request.getfixturevalue("redis_url"))
        monkeypatch.setattr(limits, "_redis", lambda: connection)
    else:
        monkeypatch.setattr(limits, "_redis", lambda: None)
        monkeypatch.setattr(limits, "_local", {})
    return request.param


@pytest.mark.parametrize(("path", "body", "setting"), [
    ("attendance", BEAT, "VIDEO_REPORTS_PER_MINUTE"),
    ("signal", HELLO, "VIDEO_SIGNALS_PER_MINUTE"),
])  # fmt: skip
def test_past_the_limit_a_post_is_refused_until_the_next_minute(app, client, monkeypatch, counter, path, body, setting):
    monkeypatch.setitem(app.config, setting, 3)
    booking = paid_booking()
    minute = FAR_START.replace(second=5)
    with time_machine.travel(minute, tick=False):
        headers = signed_in(app, client, booking.client)
        codes = [
            client.post(f"/api/video/{booking.id}/{path}", json=body, headers=headers).status_code for _ in range(4)
        ]
        refused = client.post(f"/api/video/{booking.id}/{path}", json=body, headers=headers)
    assert codes == [202, 202, 202, 429]
    assert (refused.get_json()["error"]["code"], refused.headers["Retry-After"]) == ("rate_limited", "55")
    with time_machine.travel(minute + timedelta(minutes=1), tick=False):
        assert client.post(f"/api/video/{booking.id}/{path}", json=body, headers=headers).status_code == 202
    other = paid_booking(client=booking.client, starts_at=FAR_START + timedelta(minutes=5))
    with time_machine.travel(minute, tick=False):
        assert client.post(f"/api/video/{other.id}/{path}", json=body, headers=headers).status_code == 202
