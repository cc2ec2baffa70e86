"""The session page and the booking page's Join button, with the clock moved to the window's edges."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from html import unescape

import time_machine

from tests.factories import UserFactory
from tests.factories.accounts import StaffFactory
from tests.video.helpers import FAR_START, paid_booking, signed_in

OPENS = FAR_START - timedelta(minutes=10)


def _config(html: str) -> dict:
    return json.loads(unescape(re.search(r"data-config='([^']+)'", html).group(1)))


def test_the_client_and_the_coach_get_the_call_page_once_the_window_opens(app, client):
    booking = paid_booking()
    with time_machine.travel(OPENS, tick=False):
        for user, polite in ((booking.client, True), (booking.coach.user, False)):
            signed_in(app, client, user)
            resp = client.get(f"/bookings/{booking.id}/session")
            html = resp.get_data(as_text=True)
            assert resp.status_code == 200, html
            assert "js/video-call.js" in html and "<script>" not in html
            config = _config(html)
            assert config["signalUrl"] == f"/api/video/{booking.id}/signal"
            assert (config["bookingId"], config["polite"], config["iceServers"]) == (booking.id, polite, [])
            assert 'id="video-mute"' in html and 'id="video-camera"' in html


def test_before_the_window_and_for_anyone_else_the_page_says_why(app, client):
    booking = paid_booking()
    with time_machine.travel(OPENS - timedelta(seconds=1), tick=False):
        signed_in(app, client, booking.client)
        early = client.get(f"/bookings/{booking.id}/session")
        assert early.status_code == 403
        assert "The session opens 10 minutes before the start." in early.get_data(as_text=True)
    with time_machine.travel(OPENS, tick=False):
        for user, reason in (
            (UserFactory(), "Only the booked client and coach can join this session."),
            (StaffFactory(), "Staff accounts cannot join or observe a session."),
        ):
            signed_in(app, client, user)
            resp = client.get(f"/bookings/{booking.id}/session")
            assert (resp.status_code, reason in resp.get_data(as_text=True)) == (403, True)
        assert client.get(f"/bookings/{booking.id + 1000}/session").status_code == 404


def test_the_booking_page_shows_join_only_while_the_window_is_open(app, client):
    booking = paid_booking()
    page = f"/bookings/{booking.id}"
    with time_machine.travel(OPENS - timedelta(seconds=1), tick=False):
        signed_in(app, client, booking.client)
        html = client.get(page).get_data(as_text=True)
        assert "Join the session" not in html
        assert "The video session opens here at" in html
    with time_machine.travel(OPENS, tick=False):
        signed_in(app, client, booking.coach.user)
        html = client.get(page).get_data(as_text=True)
        assert f'href="/bookings/{booking.id}/session">Join the session</a>' in html
    with time_machine.travel(FAR_START + timedelta(minutes=75), tick=False):
        signed_in(app, client, booking.client)
        html = client.get(page).get_data(as_text=True)
        assert "Join the session" not in html and "opens here" not in html
