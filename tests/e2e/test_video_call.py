"""A client and a coach hold a browser-to-browser video call (Chromium's fake camera and microphone,
loopback ICE, no STUN/TURN); their pages' heartbeats record attendance with media flowing, closing a
tab ends its interval; a third user is refused with the reason."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.core.db import utcnow
from app.extensions import db
from app.video.models import AttendanceInterval, IntervalKind
from tests.e2e.conftest import client_login, snap
from tests.factories import UserFactory
from tests.video.helpers import paid_booking

pytestmark = pytest.mark.e2e

FAKE_MEDIA = [
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    "--disable-features=WebRtcHideLocalIpsWithMdns",
    "--allow-loopback-in-peer-connection",
]
FRAMES_DECODED = """() => {
  const video = document.getElementById("video-remote");
  return video.videoWidth > 0 && video.getVideoPlaybackQuality().totalVideoFrames > 10;
}"""


def _attendance(booking_id: int) -> dict[tuple[str, str], list[bool]]:
    """(role, kind) -> is_open of each interval."""
    db.session.expire_all()
    rows = db.session.scalars(
        sa.select(AttendanceInterval).where(AttendanceInterval.booking_id == booking_id).order_by(AttendanceInterval.id)
    )
    found: dict[tuple[str, str], list[bool]] = {}
    for row in rows:
        found.setdefault((row.role, row.kind.value), []).append(row.is_open)
    return found


def _wait_for(predicate, seconds: float = 10.0):
    deadline = time.monotonic() + seconds
    while not (value := predicate()) and time.monotonic() < deadline:
        time.sleep(0.2)
    return value


@pytest.fixture
def media_browser(browser_type, browser_type_launch_args):
    """Chromium with fake media devices (the suite's shared browser has none)."""
    args = {**browser_type_launch_args, "args": [*browser_type_launch_args["args"], *FAKE_MEDIA]}
    browser = browser_type.launch(**args)
    yield browser
    browser.close()


def _page(browser, base: str, user):
    context = browser.new_context(permissions=["camera", "microphone"], viewport={"width": 1100, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    client_login(page, base, user)
    return page


def test_client_and_coach_connect_and_a_third_user_is_refused(media_browser, live_server, app, monkeypatch):
    monkeypatch.setitem(app.config, "STREAM_SECONDS", 120.0)  # the suite's streams end after 0.3 s
    starts = utcnow().replace(second=0, microsecond=0) + timedelta(minutes=5)
    booking = paid_booking(starts)
    booking.client.first_name, booking.coach.user.first_name = "Cleo", "Ada"
    db.session.commit()
    errors: list[str] = []
    pages = []
    for user in (booking.client, booking.coach.user):
        page = _page(media_browser, live_server, user)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(f"{live_server}/bookings/{booking.id}")
        page.get_by_role("link", name="Join the session").click()
        page.wait_for_url(f"**/bookings/{booking.id}/session")
        pages.append(page)

    for page in pages:
        page.locator('#video-call[data-connection-state="connected"]').wait_for(timeout=30_000)
        assert page.evaluate("window.coachConnectVideo.peer().connectionState") == "connected"
        page.wait_for_function(FRAMES_DECODED, timeout=15_000)
    client_page, coach_page = pages
    assert "Connected with Ada." in client_page.get_by_role("status").inner_text()
    assert "Connected with Cleo." in coach_page.get_by_role("status").inner_text()

    snap(coach_page, "video-call-coach")
    snap(client_page, "video-call-client")

    client_page.get_by_role("button", name="Mute").click()
    client_page.get_by_role("button", name="Camera off").click()
    assert client_page.evaluate(
        "[...document.getElementById('video-local').srcObject.getTracks()].map(t => t.enabled)"
    ) == [False, False]
    assert client_page.get_by_role("button", name="Unmute").get_attribute("aria-pressed") == "true"
    coach_page.wait_for_timeout(500)  # frames from the disabled camera are black
    snap(coach_page, "video-call-coach-sees-camera-off")

    for _ in range(2):  # two beats now rather than waiting 15 s for each
        for page in pages:
            page.evaluate("window.coachConnectVideo.beat()")
            page.wait_for_timeout(300)
    expected = {(role, kind): [True] for role in ("client", "coach") for kind in ("present", "media")}
    assert _wait_for(lambda: _attendance(booking.id) == expected), _attendance(booking.id)
    client_page.close(run_before_unload=True)  # the tab closes: its pagehide reports the leave
    assert _wait_for(lambda: _attendance(booking.id)[("client", IntervalKind.PRESENT.value)] == [False])
    assert _attendance(booking.id)[("coach", "present")] == [True]

    stranger = _page(media_browser, live_server, UserFactory())
    response = stranger.goto(f"{live_server}/bookings/{booking.id}/session")
    assert response.status == 403
    assert "Only the booked client and coach can join this session." in stranger.content()
    assert stranger.locator("#video-call").count() == 0
    assert not errors
