"""Server-side sessions: a cookie captured before logout, an admin disabling the user or the user
ending their other sessions opens nothing afterwards; the id changes at login; nothing but a
random id travels in the cookie."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest

from app.accounts import sessions
from app.accounts.models import BrowserSession, Role
from app.core.db import utcnow
from app.core.models import AuditLog
from app.extensions import db
from tests.accounts.flows import current_code, logout, post_code, post_login
from tests.conftest import csrf_token_from
from tests.factories import StaffFactory, UserFactory

COOKIE = "session"


def _cookie(client) -> str:
    cookie = client.get_cookie(COOKIE, domain="localhost")
    assert cookie is not None, "no session cookie"
    return cookie.value


def _replay(app, value: str):
    """A second browser that only holds the captured cookie."""
    other = app.test_client()
    other.set_cookie(COOKIE, value, domain="localhost")
    return other


def _login_staff(client, staff):
    assert post_login(client, staff.email).status_code == 302
    assert post_code(client, "/login/verify", current_code(staff)).status_code == 302


def test_a_cookie_captured_before_logout_opens_nothing_after_it(app, client):
    user = UserFactory()
    assert post_login(client, user.email).status_code == 302
    captured = _cookie(client)
    assert _replay(app, captured).get("/api/me").status_code == 200
    logout(client)
    thief = _replay(app, captured)
    assert thief.get("/api/me").status_code == 401
    resp = thief.get("/dashboard")
    assert resp.status_code == 302 and resp.headers["Location"].startswith("/login")
    assert db.session.query(BrowserSession).filter_by(user_id=user.id).count() == 0


def test_an_admins_cookie_captured_before_logout_does_not_open_the_console(app, client):
    admin = StaffFactory(roles=[Role.ADMIN])
    _login_staff(client, admin)
    captured = _cookie(client)
    assert _replay(app, captured).get("/staff/users").status_code == 200
    logout(client)
    resp = _replay(app, captured).get("/staff/users")
    assert resp.status_code == 302 and resp.headers["Location"].startswith("/login")


def test_an_admin_disabling_a_user_ends_their_sessions_at_once(app, client):
    user = UserFactory()
    assert post_login(client, user.email).status_code == 302
    captured = _cookie(client)
    admin = StaffFactory(roles=[Role.ADMIN])
    console = app.test_client()
    _login_staff(console, admin)
    token = csrf_token_from(console, f"/staff/users/{user.id}")
    assert console.post(f"/staff/users/{user.id}/enabled", data={"csrf_token": token, "enable": "0"}).status_code == 302
    assert db.session.query(BrowserSession).filter_by(user_id=user.id).count() == 0
    assert client.get("/api/me").status_code == 401
    assert _replay(app, captured).get("/api/me").status_code == 401


def test_ending_other_sessions_keeps_only_this_one(app, client):
    """What a password change and "end other sessions" call."""
    user = UserFactory()
    laptop, phone = client, app.test_client()
    assert post_login(laptop, user.email).status_code == 302
    assert post_login(phone, user.email).status_code == 302
    keep = db.session.query(BrowserSession).filter_by(id_hash=_hash(_cookie(laptop))).one().id
    listed = sessions.active_sessions(user)
    assert len(listed) == 2 and {s.id for s in listed} >= {keep}
    assert sessions.end_other_sessions(user, keep=keep) == 1
    assert laptop.get("/api/me").status_code == 200
    assert phone.get("/api/me").status_code == 401
    assert AuditLog.query.filter_by(action="user.sessions_ended", object_id=str(user.id)).count() == 1
    assert sessions.end_all_sessions(user) == 1
    assert laptop.get("/api/me").status_code == 401


def test_ending_someone_elses_session_is_not_found(client):
    owner, other = UserFactory(), UserFactory()
    assert post_login(client, owner.email).status_code == 302
    row = db.session.query(BrowserSession).filter_by(user_id=owner.id).one()
    from app.core.errors import NotFound

    with pytest.raises(NotFound):
        sessions.end_session(other, row.id)
    assert client.get("/api/me").status_code == 200
    sessions.end_session(owner, row.id)
    assert client.get("/api/me").status_code == 401


def test_the_session_id_changes_at_login_and_at_the_second_step(app, client):
    staff = StaffFactory(roles=[Role.FINANCE])
    csrf_token_from(client, "/login")
    anonymous = _cookie(client)
    assert post_login(client, staff.email).status_code == 302
    half = _cookie(client)
    assert post_code(client, "/login/verify", current_code(staff)).status_code == 302
    full = _cookie(client)
    assert len({anonymous, half, full}) == 3
    assert client.get("/staff/").status_code == 200
    for old in (anonymous, half):  # an id planted or seen before login never becomes a logged-in session
        assert _replay(app, old).get("/staff/").status_code == 302


def test_the_cookie_holds_a_random_id_and_no_session_data(client):
    user = UserFactory()
    assert post_login(client, user.email).status_code == 302
    value = _cookie(client)
    assert "." not in value and len(value) >= 40
    decoded = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    assert b"_user_id" not in decoded and str(user.id).encode() + b'"' not in decoded
    row = db.session.query(BrowserSession).filter_by(user_id=user.id).one()
    assert row.id_hash == _hash(value) and row.ip_address and row.user_agent is not None


def test_staff_sessions_end_after_thirty_idle_minutes(client):
    import time_machine

    staff = StaffFactory(roles=[Role.MODERATOR])
    _login_staff(client, staff)
    with time_machine.travel(utcnow() + timedelta(minutes=29), tick=False):
        assert client.get("/staff/").status_code == 200  # activity moves the idle limit on
    with time_machine.travel(utcnow() + timedelta(minutes=29 + 29), tick=False):
        assert client.get("/staff/").status_code == 200
    with time_machine.travel(utcnow() + timedelta(minutes=29 + 29 + 31), tick=False):
        resp = client.get("/staff/")
        assert resp.status_code == 302 and resp.headers["Location"].startswith("/login")
        page = client.get(resp.headers["Location"]).get_data(as_text=True)
        assert "logged out after a while without activity" in page
    assert db.session.query(BrowserSession).filter_by(user_id=staff.id).count() == 0


def test_staff_sessions_end_after_twelve_hours_even_when_active(client):
    import time_machine

    staff = StaffFactory(roles=[Role.VERIFIER])
    _login_staff(client, staff)
    start = utcnow()
    for minutes in range(25, 12 * 60, 25):
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            assert client.get("/staff/").status_code == 200, minutes
    with time_machine.travel(start + timedelta(hours=12, minutes=1), tick=False):
        resp = client.get("/staff/")
        assert resp.status_code == 302
        assert "reached its time limit" in client.get(resp.headers["Location"]).get_data(as_text=True)


def test_a_client_session_outlives_thirty_idle_minutes_but_not_its_configured_idle_limit(app, client):
    import time_machine

    user = UserFactory()
    assert post_login(client, user.email).status_code == 302
    with time_machine.travel(utcnow() + timedelta(minutes=31), tick=False):
        assert client.get("/dashboard").status_code == 200
    idle = app.config["SESSION_IDLE_MINUTES"]
    with time_machine.travel(utcnow() + timedelta(minutes=31 + idle + 1), tick=False):
        assert client.get("/dashboard").status_code == 302


def _hash(value: str) -> str:
    from app.core.security import sha256_hex

    return sha256_hex(value)
