"""Security headers on every response and cookie flags, in testing and in production."""

from __future__ import annotations

import re

import pytest

from app import create_app
from app.extensions import db
from config import ProductionConfig
from tests.conftest import TEST_DATABASE_URL


def _csp(resp) -> dict[str, str]:
    policy = resp.headers["Content-Security-Policy"]
    return {part.split()[0]: part.strip() for part in policy.split(";") if part.strip()}


@pytest.mark.parametrize("path", ["/login", "/register", "/", "/no-such-page", "/api/openapi.json"])
def test_pages_carry_csp_frame_and_sniffing_headers(client, path):
    resp = client.get(path)
    assert resp.headers["X-Frame-Options"] == "DENY"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Referrer-Policy"] == "same-origin"
    csp = _csp(resp)
    assert csp["default-src"] == "default-src 'self'"
    assert csp["frame-ancestors"] == "frame-ancestors 'none'"
    assert csp["object-src"] == "object-src 'none'"
    assert "'unsafe-inline'" not in csp["script-src"]


def test_every_script_carries_the_nonce_of_its_response(client):
    first, second = client.get("/login"), client.get("/login")
    nonce = re.search(r"'nonce-([^']+)'", first.headers["Content-Security-Policy"]).group(1)
    assert nonce not in second.headers["Content-Security-Policy"]  # fresh for each response
    scripts = re.findall(r"<script\b[^>]*>", first.get_data(as_text=True))
    assert scripts and all(f'nonce="{nonce}"' in tag for tag in scripts)


def test_session_cookie_is_http_only_and_same_site(client):
    client.get("/login")
    cookie = client.get_cookie("session")
    assert cookie is not None and cookie.http_only and cookie.same_site == "Lax"


def test_production_cookies_are_secure_and_hsts_is_sent(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "production-secret-for-the-test")
    monkeypatch.setenv("PAYOUT_ENCRYPTION_KEY", "production-payout-key-for-the-test")
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://coach.example")
    monkeypatch.setenv("DATABASE_URL", TEST_DATABASE_URL)
    app = create_app(
        ProductionConfig,
        SECRET_KEY="production-secret-for-the-test",
        PUBLIC_BASE_URL="https://coach.example",
        SQLALCHEMY_DATABASE_URI=TEST_DATABASE_URL,
    )
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["ALLOW_OTP_CLI"] is False
    assert not app.debug and not app.testing
    with app.app_context():
        resp = app.test_client().get("/login", base_url="https://coach.example")
        set_cookie = resp.headers["Set-Cookie"]
        assert "Secure" in set_cookie and "HttpOnly" in set_cookie and "SameSite=Lax" in set_cookie
        assert resp.headers["Strict-Transport-Security"].startswith("max-age=31536000")
        db.session.remove()
        db.engine.dispose()


def test_signed_in_pages_are_never_stored_and_public_ones_may_be(client, login_as):
    from tests.factories import UserFactory

    assert "no-store" not in client.get("/coaches").headers.get("Cache-Control", "")
    login_as(UserFactory())
    for path in ("/dashboard", "/settings", "/coaches", "/no-such-page"):
        assert client.get(path).headers["Cache-Control"] == "no-store", path
