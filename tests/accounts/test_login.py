"""Login with password, the staff TOTP step, throttling, recovery codes."""

import pyotp

from app.accounts.models import Role
from app.core.models import AuditLog
from tests.conftest import csrf_token_from
from tests.factories import PASSWORD, StaffFactory, UserFactory


def _post_login(client, email, password):
    token = csrf_token_from(client, "/login")
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token})


def test_client_logs_in_with_password(client):
    user = UserFactory()
    resp = _post_login(client, user.email, PASSWORD)
    assert resp.status_code == 302
    assert client.get("/dashboard").status_code == 200


def test_wrong_password_is_refused_with_a_message(client):
    user = UserFactory()
    resp = _post_login(client, user.email, "wrong-password!")
    assert resp.status_code == 401
    assert "Wrong e-mail address or password" in resp.get_data(as_text=True)


def test_staff_need_totp_before_the_console_opens(client):
    staff = StaffFactory(roles=[Role.VERIFIER])
    resp = _post_login(client, staff.email, PASSWORD)
    assert resp.status_code == 302 and "/login/verify" in resp.headers["Location"]
    assert client.get("/staff/").status_code == 302  # not logged in yet
    token = csrf_token_from(client, "/login/verify")
    bad = client.post("/login/verify", data={"code": "000000", "csrf_token": token})
    assert bad.status_code == 401
    ok = client.post("/login/verify", data={"code": pyotp.TOTP(staff.totp_secret).now(), "csrf_token": token})
    assert ok.status_code == 302
    assert client.get("/staff/").status_code == 200
    assert AuditLog.query.filter_by(action="user.login", object_id=str(staff.id)).count() == 1


def test_login_is_throttled_per_account(client, app):
    user = UserFactory()
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_PAIR"]):
        assert _post_login(client, user.email, "nope-nope-nope").status_code == 401
    resp = _post_login(client, user.email, PASSWORD)  # even the right password waits
    assert resp.status_code == 429
    assert "Too many failed attempts" in resp.get_data(as_text=True)
