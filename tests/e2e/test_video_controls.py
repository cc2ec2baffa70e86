"""The call's controls in two browsers with Chromium's fake devices: the camera and microphone
pickers swap the live track, screen share replaces the camera and gives it back, the quality line
reads the connection, and 20 of 20 reconnects (the client's tab reloaded) connect again, as do the
coach's."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.core.db import utcnow
from app.extensions import db
from tests.e2e.conftest import assert_accessible, snap
from tests.e2e.test_video_call import FRAMES_DECODED, _page, media_browser  # noqa: F401 - the fixture
from tests.video.helpers import paid_booking

pytestmark = pytest.mark.e2e

RECONNECTS = 20
CONNECTED = '#video-call[data-connection-state="connected"]'
LOCAL_VIDEO_TRACK = "document.getElementById('video-local').srcObject.getVideoTracks()[0]"


def _join(browser, base: str, booking, user):
    page = _page(browser, base, user)
    page.goto(f"{base}/bookings/{booking.id}/session")
    return page


def _both_connected(pages, timeout: float = 30_000) -> None:
    for page in pages:
        page.locator(CONNECTED).wait_for(timeout=timeout)


@pytest.fixture
def call(media_browser, live_server, app, monkeypatch):  # noqa: F811 - the imported fixture
    monkeypatch.setitem(app.config, "STREAM_SECONDS", 300.0)  # the suite's streams end after 0.3 s
    booking = paid_booking(utcnow().replace(second=0, microsecond=0) + timedelta(minutes=5))
    booking.client.first_name, booking.coach.user.first_name = "Cleo", "Ada"
    db.session.commit()
    pages = [_join(media_browser, live_server, booking, u) for u in (booking.client, booking.coach.user)]
    _both_connected(pages)
    return booking, pages


def test_pickers_screen_share_and_the_quality_line(call):
    _, (client_page, coach_page) = call
    quality = client_page.locator("#video-quality")
    client_page.locator('#video-quality[data-quality="good"]').wait_for(timeout=10_000)
    assert quality.inner_text().startswith("Connection quality: good (")

    camera = client_page.get_by_label("Camera", exact=True)
    microphone = client_page.get_by_label("Microphone", exact=True)
    client_page.wait_for_function("() => !document.getElementById('video-camera-select').disabled")
    assert camera.locator("option").count() >= 1 and microphone.locator("option").count() >= 1
    before = client_page.evaluate(f"{LOCAL_VIDEO_TRACK}.id")
    camera.select_option(index=0)  # the same camera picked again: a fresh track replaces the live one
    client_page.wait_for_function(f"() => {LOCAL_VIDEO_TRACK}.id !== {before!r}")
    sent = "window.coachConnectVideo.peer().getSenders().find(s => s.track && s.track.kind === 'video').track.id"
    assert client_page.evaluate(sent) == client_page.evaluate(f"{LOCAL_VIDEO_TRACK}.id")
    assert client_page.evaluate("window.coachConnectVideo.peer().connectionState") == "connected"
    coach_page.wait_for_function(FRAMES_DECODED, timeout=15_000)

    share = client_page.get_by_role("button", name="Share screen")
    share.click()
    client_page.get_by_role("button", name="Stop sharing").wait_for(timeout=10_000)
    surface = client_page.evaluate(f"{LOCAL_VIDEO_TRACK}.getSettings().displaySurface")
    assert surface in ("monitor", "window", "browser"), surface  # a screen, not the camera, is sent
    assert client_page.evaluate(sent) == client_page.evaluate(f"{LOCAL_VIDEO_TRACK}.id")
    snap(coach_page, "video-call-coach-sees-screen-share")
    client_page.get_by_role("button", name="Stop sharing").click()
    client_page.get_by_role("button", name="Share screen").wait_for()
    assert client_page.evaluate(f"{LOCAL_VIDEO_TRACK}.readyState") == "live"
    assert client_page.evaluate(f"{LOCAL_VIDEO_TRACK}.getSettings().displaySurface") is None
    snap(client_page, "video-call-controls")
    assert_accessible(client_page)


def test_twenty_of_twenty_reconnects_connect(call):
    _, (client_page, coach_page) = call
    connected = 0
    for _ in range(RECONNECTS):  # bounded: each round waits at most 30 s
        client_page.reload()
        coach_page.locator('#video-call:not([data-connection-state="connected"])').wait_for(timeout=30_000)
        _both_connected([client_page, coach_page])
        connected += 1
    assert connected == RECONNECTS
    client_page.wait_for_function(FRAMES_DECODED, timeout=15_000)


def test_the_coachs_reloads_reconnect_too(call):
    """The other direction: the coach's new tab greets the client's, the client welcomes it, and the
    coach's page makes the offer."""
    _, (client_page, coach_page) = call
    for _ in range(5):  # bounded: each round waits at most 30 s
        coach_page.reload()
        client_page.locator('#video-call:not([data-connection-state="connected"])').wait_for(timeout=30_000)
        _both_connected([client_page, coach_page])
    coach_page.wait_for_function(FRAMES_DECODED, timeout=15_000)
