"""Idle and absolute lifetimes per role, with a moved clock, and the staff pages' warning before the end:
what the page is told, that asking does not count as activity and that "stay signed in" does."""

from __future__ import annotations

import re
from datetime import timedelta

import time_machine

from app.accounts.models import Role
from app.core.db import utcnow
from config import Config
from tests.accounts.flows import current_code, post_code, post_login
from tests.conftest import csrf_token_from
from tests.factories import StaffFactory, UserFactory


def _login_staff(client, role=Role.MODERATOR):
    staff = StaffFactory(roles=[role])
    assert post_login(client, staff.email).status_code == 302
    assert post_code(client, "/login/verify", current_code(staff)).status_code == 302
    return staff


def _warning(page: str) -> dict[str, int] | None:
    box = re.search(r"<div [^>]*data-session-expiry[^>]*>", page)
    if box is None:
        return None
    return {k: int(v) for k, v in re.findall(r'data-(idle-left|absolute-left|warn-seconds)="(\d+)"', box.group(0))}


def _at(minutes: float):
    return time_machine.travel(utcnow() + timedelta(minutes=minutes), tick=False)


def test_the_defaults_are_thirty_idle_minutes_and_twelve_hours_for_staff():
    assert (Config.STAFF_SESSION_IDLE_MINUTES, Config.STAFF_SESSION_HOURS) == (30, 12)
    assert Config.SESSION_IDLE_MINUTES > 30 and Config.SESSION_WARNING_SECONDS == 300


def test_a_staff_page_tells_the_warning_how_long_the_session_has_left(client):
    _login_staff(client)
    page = client.get("/staff/").get_data(as_text=True)
    left = _warning(page)
    assert left is not None, "no expiry warning on the staff page"
    assert 29 * 60 <= left["idle-left"] <= 30 * 60
    assert 12 * 3600 - 60 <= left["absolute-left"] <= 12 * 3600
    assert left["warn-seconds"] == 300
    scripts = re.findall(r"<script\b[^>]*>", page)
    assert any("js/session-expiry" in s for s in scripts)
    assert all(" src=" in s for s in scripts), "an inline script would need the CSP to allow it"
    assert "Stay signed in" in page


def test_the_data_browser_pages_carry_the_warning_too(client):
    _login_staff(client, Role.ADMIN)
    assert _warning(client.get("/admin/").get_data(as_text=True)) is not None


def test_a_clients_page_has_no_staff_warning(client):
    user = UserFactory()
    assert post_login(client, user.email).status_code == 302
    assert _warning(client.get("/dashboard").get_data(as_text=True)) is None


def test_asking_how_long_is_left_does_not_keep_the_session_alive(client):
    _login_staff(client)
    with _at(25):
        left = client.get("/session").get_json()
        assert 4 * 60 < left["idle_seconds"] <= 5 * 60 + 1 and left["warn_seconds"] == 300
    with _at(31):
        resp = client.get("/staff/")
        assert resp.status_code == 302 and resp.headers["Location"].startswith("/login")


def test_stay_signed_in_moves_the_idle_limit_on(client):
    _login_staff(client)
    token = csrf_token_from(client, "/staff/")
    with _at(28):
        resp = client.post("/session/touch", headers={"X-CSRFToken": token})
        assert resp.status_code == 200 and resp.get_json()["idle_seconds"] == 30 * 60
    with _at(28 + 29):
        assert client.get("/session").get_json()["idle_seconds"] <= 60
        assert client.get("/staff/").status_code == 200


def test_stay_signed_in_does_not_pass_the_absolute_limit(client):
    _login_staff(client)
    token = csrf_token_from(client, "/staff/")
    start = utcnow()
    for minutes in range(25, 12 * 60, 25):
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            left = client.post("/session/touch", headers={"X-CSRFToken": token}).get_json()
            assert left["absolute_seconds"] <= 12 * 3600 - minutes * 60, minutes
    with time_machine.travel(start + timedelta(hours=12, seconds=1), tick=False):
        assert client.get("/session").status_code == 401


def test_stay_signed_in_needs_the_csrf_token(client):
    _login_staff(client)
    assert client.post("/session/touch").status_code == 400


def test_an_ended_session_answers_the_warning_with_401(client):
    _login_staff(client)
    with _at(31):
        resp = client.get("/session")
        assert resp.status_code == 401 and resp.get_json()["error"]["code"] == "unauthenticated"
        assert "without activity" not in client.get("/login").get_data(as_text=True)  # no flash left for later
