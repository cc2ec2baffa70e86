"""Login rules: throttling per address, Retry-After, safe ?next=, disabled and banned accounts."""

from __future__ import annotations

import pytest
from flask import Flask

from app import create_app
from app.accounts import services
from app.accounts.models import Role
from app.accounts.views import is_safe_next
from app.core.db import utcnow
from app.core.errors import RateLimited
from app.core.security import public
from app.extensions import db
from config import TestingConfig
from tests.accounts.flows import post_login
from tests.factories import StaffFactory, UserFactory
from tests.security_clients import bearer_for


def test_failures_from_one_address_across_many_emails_are_throttled(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_MAX_FAILURES_PER_ADDRESS", 4)
    user = UserFactory()
    for n in range(4):
        assert post_login(client, f"nobody{n}@example.org", "wrong-password").status_code == 401
    resp = post_login(client, user.email)  # a different account, even with the right password
    assert resp.status_code == 429
    assert "Too many failed attempts. Try again in 15 minutes." in resp.get_data(as_text=True)
    assert resp.headers["Retry-After"] == str(15 * 60)
    assert client.get("/dashboard").status_code == 302

    elsewhere = app.test_client()
    assert post_login(elsewhere, user.email, environ_base={"REMOTE_ADDR": "10.9.8.7"}).status_code == 302


def test_account_throttle_answers_with_retry_after(client, app):
    user = UserFactory()
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_PAIR"]):
        post_login(client, user.email, "wrong-password")
    resp = post_login(client, user.email)
    assert resp.status_code == 429 and int(resp.headers["Retry-After"]) > 0


def test_wrong_codes_count_towards_the_throttle(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_MAX_FAILURES_PER_PAIR", 2)
    from tests.accounts.flows import post_code

    staff = StaffFactory()
    post_login(client, staff.email)
    assert post_code(client, "/login/verify", "abcdefgh").status_code == 401
    assert post_code(client, "/login/verify", "abcdefgh").status_code == 401
    resp = post_code(client, "/login/verify", "abcdefgh")
    assert resp.status_code == 429 and "Retry-After" in resp.headers


def test_api_rate_limits_answer_json_with_retry_after(app):
    other: Flask = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"])

    def limited():
        raise RateLimited("Slow down.", retry_after=42)

    other.add_url_rule("/api/limited", "limited", public(limited))  # unguarded /api routes answer 401
    resp = other.test_client().get("/api/limited")
    assert resp.status_code == 429
    assert resp.headers["Retry-After"] == "42"
    assert resp.get_json() == {"error": {"code": "rate_limited", "message": "Slow down.", "fields": {}}}
    with other.app_context():
        db.engine.dispose()


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
        "\\\\evil.example",
        "/\t/evil.example",
        "javascript:alert(1)",
        "http:/evil.example",
        "evil.example",
    ],
)
def test_next_never_leaves_the_site(client, target):
    assert not is_safe_next(target)
    user = UserFactory()
    resp = post_login(client, user.email, next_url=target)
    assert resp.status_code == 302
    assert resp.headers["Location"] == "/dashboard"


def test_next_to_a_local_page_is_followed_after_both_steps(client):
    user = UserFactory()
    assert post_login(client, user.email, next_url="/settings?tab=1").headers["Location"] == "/settings?tab=1"

    from tests.accounts.flows import current_code, post_code

    staff = StaffFactory()
    other = client.application.test_client()
    first = post_login(other, staff.email, next_url="/staff/outbox")
    assert first.headers["Location"] == "/login/verify?next=/staff/outbox"
    assert post_code(other, first.headers["Location"], current_code(staff)).headers["Location"] == "/staff/outbox"


@pytest.mark.parametrize("state", [{"is_enabled": False}, {"banned_at": "now"}])
def test_disabled_or_banned_users_cannot_log_in(client, state):
    if "banned_at" in state:
        state = {"banned_at": utcnow()}
    user = UserFactory(**state)
    resp = post_login(client, user.email)
    assert resp.status_code == 401
    assert "Wrong e-mail address or password" in resp.get_data(as_text=True)
    assert client.get("/dashboard").status_code == 302


def test_disabling_a_user_ends_their_session_and_their_tokens(client):
    user = UserFactory()
    headers = bearer_for(user)
    assert post_login(client, user.email).status_code == 302
    assert client.get("/dashboard").status_code == 200
    services.set_enabled(user, False, StaffFactory())
    assert client.get("/dashboard").status_code == 302
    assert client.get("/api/me", headers=headers).status_code == 401


def test_a_client_promoted_to_staff_must_log_in_again_with_totp(client):
    user = UserFactory()
    assert post_login(client, user.email).status_code == 302
    services.set_roles(user, [Role.CLIENT, Role.VERIFIER], StaffFactory())
    assert client.get("/staff/").status_code == 302
    assert client.get("/dashboard").status_code == 302
    resp = post_login(client, user.email)
    assert resp.headers["Location"].startswith("/login/enrol")


def test_a_forged_forwarded_for_header_does_not_dodge_the_address_throttle(client, app, monkeypatch):
    assert app.config["TRUSTED_PROXIES"] == 0
    monkeypatch.setitem(app.config, "LOGIN_MAX_FAILURES_PER_ADDRESS", 3)
    for n in range(3):
        forged = {"X-Forwarded-For": f"203.0.113.{n}"}
        assert post_login(client, f"nobody{n}@example.org", "wrong-password", headers=forged).status_code == 401
    resp = post_login(client, UserFactory().email, headers={"X-Forwarded-For": "203.0.113.99"})
    assert resp.status_code == 429


def test_behind_a_trusted_proxy_the_forwarded_address_counts(app):
    behind: Flask = create_app(
        TestingConfig, SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"], TRUSTED_PROXIES=1
    )

    def whoami():
        from flask import request

        return request.remote_addr

    behind.add_url_rule("/whoami", "whoami", whoami)
    resp = behind.test_client().get("/whoami", headers={"X-Forwarded-For": "198.51.100.7"})
    assert resp.get_data(as_text=True) == "198.51.100.7"
    with behind.app_context():
        db.engine.dispose()
