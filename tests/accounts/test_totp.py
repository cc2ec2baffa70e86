"""Staff second factor: enrolment on first login, recovery codes, and no replay of a time step."""

from __future__ import annotations

import html
import re
import time

import pyotp
import sqlalchemy as sa

from app.accounts import services
from app.accounts.models import RecoveryCode, Role, User
from app.core.models import AuditLog
from app.extensions import db
from tests.accounts.flows import current_code, field_error, logout, post_code, post_login
from tests.conftest import csrf_token_from
from tests.factories import StaffFactory


def _codes_on(page: str) -> list[str]:
    return re.findall(r"<li><code>([a-z0-9]{4}-[a-z0-9]{4})</code></li>", page)


def test_first_staff_login_enrols_an_authenticator_and_shows_recovery_codes_once(client):
    staff = StaffFactory(roles=[Role.VERIFIER], totp_secret=None, totp_enabled_at=None)
    resp = post_login(client, staff.email)
    assert resp.status_code == 302 and resp.headers["Location"].startswith("/login/enrol")
    assert client.get("/staff/").status_code == 302  # not logged in before the code is confirmed

    page = client.get("/login/enrol").get_data(as_text=True)
    db.session.expire_all()
    secret = db.session.get(User, staff.id).totp_secret
    assert secret and secret in page
    assert html.escape(pyotp.TOTP(secret).provisioning_uri(name=staff.email, issuer_name="Coach Connect")) in page

    wrong = post_code(client, "/login/enrol", "000000" if current_code(staff) != "000000" else "111111")
    assert "That code does not match" in field_error(wrong.get_data(as_text=True), "code")
    assert db.session.get(User, staff.id).totp_enabled_at is None

    shown = post_code(client, "/login/enrol", pyotp.TOTP(secret).now())
    assert shown.status_code == 200 and shown.headers["Cache-Control"] == "no-store"  # shown in this answer only
    codes = _codes_on(shown.get_data(as_text=True))
    assert len(codes) == 10
    assert 'href="/staff/"' in shown.get_data(as_text=True)
    again = client.get("/settings/recovery-codes")
    assert again.status_code == 302 and _codes_on(client.get("/settings").get_data(as_text=True)) == []
    assert client.get("/staff/").status_code == 200

    stored = db.session.scalars(sa.select(RecoveryCode.code_hash).where(RecoveryCode.user_id == staff.id)).all()
    assert len(stored) == 10 and not set(codes) & set(stored)  # only hashes are stored
    assert db.session.scalar(sa.select(sa.func.count()).where(AuditLog.action == "user.totp_enrolled")) == 1


def test_a_recovery_code_logs_in_once_and_only_once(client):
    staff = StaffFactory(roles=[Role.FINANCE])
    code = services.regenerate_recovery_codes(staff)[0]

    post_login(client, staff.email)
    first = post_code(client, "/login/verify", code.upper())  # typed in capitals still works
    assert first.status_code == 302
    assert client.get("/staff/").status_code == 200
    logout(client)

    post_login(client, staff.email)
    second = post_code(client, "/login/verify", code)
    assert second.status_code == 401
    assert "That code is not valid" in field_error(second.get_data(as_text=True), "code")
    assert client.get("/staff/").status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).where(AuditLog.action == "user.recovery_code_used")) == 1


def test_an_authenticator_code_cannot_be_replayed(client):
    staff = StaffFactory(roles=[Role.MODERATOR])
    code = current_code(staff)
    post_login(client, staff.email)
    assert post_code(client, "/login/verify", code).status_code == 302
    logout(client)

    post_login(client, staff.email)
    replay = post_code(client, "/login/verify", code)
    assert replay.status_code == 401
    assert client.get("/staff/").status_code == 302


def test_an_older_code_is_refused_after_a_newer_one_was_used(client):
    staff = StaffFactory(roles=[Role.ADMIN])
    totp = pyotp.TOTP(staff.totp_secret)
    step = int(time.time()) // totp.interval
    staff.totp_last_step = step
    db.session.commit()
    post_login(client, staff.email)
    previous = totp.generate_otp(step - 1)
    assert post_code(client, "/login/verify", previous).status_code == 401


def test_staff_pages_stay_closed_between_the_password_and_the_code(client):
    staff = StaffFactory(roles=[Role.ADMIN])
    post_login(client, staff.email)
    assert client.get("/admin/").status_code == 302
    assert client.get("/settings").status_code == 302


def test_a_half_finished_staff_login_lapses(client):
    staff = StaffFactory()
    post_login(client, staff.email)
    with client.session_transaction() as sess:
        sess["pending_since"] -= 601
    token = csrf_token_from(client, "/login")
    resp = client.post("/login/verify", data={"code": current_code(staff), "csrf_token": token})
    assert resp.status_code == 302 and resp.headers["Location"] == "/login"
    assert client.get("/staff/").status_code == 302


def test_wrong_enrolment_codes_are_throttled_like_login_codes(client, app):
    staff = StaffFactory(roles=[Role.MODERATOR], totp_secret=None, totp_enabled_at=None)
    post_login(client, staff.email)
    client.get("/login/enrol")
    db.session.expire_all()
    secret = db.session.get(User, staff.id).totp_secret
    wrong = "000000" if pyotp.TOTP(secret).now() != "000000" else "111111"
    # the password step succeeded once; every wrong code is a failure on the account
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_PAIR"]):
        assert post_code(client, "/login/enrol", wrong).status_code == 400
    blocked = post_code(client, "/login/enrol", pyotp.TOTP(secret).now())
    assert blocked.status_code == 429 and "Retry-After" in blocked.headers
    assert "Too many failed attempts" in blocked.get_data(as_text=True)
    assert db.session.get(User, staff.id).totp_enabled_at is None


def _stored_session_data(user) -> str:
    from app.accounts.models import BrowserSession

    db.session.expire_all()
    rows = db.session.scalars(sa.select(BrowserSession.data).where(BrowserSession.user_id == user.id)).all()
    assert rows, "no session row"
    return " ".join(rows)


def test_recovery_codes_are_kept_neither_in_the_cookie_nor_in_the_session_data(client):
    staff = StaffFactory(roles=[Role.MODERATOR], totp_secret=None, totp_enabled_at=None)
    post_login(client, staff.email)
    client.get("/login/enrol")
    db.session.expire_all()
    secret = db.session.get(User, staff.id).totp_secret
    codes = _codes_on(post_code(client, "/login/enrol", pyotp.TOTP(secret).now()).get_data(as_text=True))
    assert len(codes) == 10
    cookie = client.get_cookie("session", domain="localhost").value
    stored = _stored_session_data(staff)
    assert not [c for c in codes if c in stored or c in cookie]

    token = csrf_token_from(client, "/settings")
    again = client.post("/settings/recovery-codes", data={"csrf_token": token})
    fresh = _codes_on(again.get_data(as_text=True))
    assert again.status_code == 200 and len(fresh) == 10 and not set(fresh) & set(codes)
    assert again.headers["Cache-Control"] == "no-store"
    stored = _stored_session_data(staff)
    assert not [c for c in fresh if c in stored]
    assert client.get("/settings/recovery-codes").status_code == 302  # nothing kept to show later
