"""`flask users create|token|otp` through the Flask CLI runner."""

from __future__ import annotations

import pyotp
import sqlalchemy as sa

from app.accounts.models import Role, User
from app.extensions import db
from config import ProductionConfig
from tests.factories import PASSWORD, StaffFactory, UserFactory


def _user(email: str) -> User:
    db.session.expire_all()
    return db.session.scalar(sa.select(User).where(User.email == email))


def test_create_staff_prints_the_otpauth_uri(app):
    result = app.test_cli_runner().invoke(
        args=["users", "create", "vera@example.org", "--role", "verifier", "--password", PASSWORD]
    )
    assert result.exit_code == 0, result.output
    user = _user("vera@example.org")
    assert user.roles == {Role.VERIFIER} and user.totp_secret
    uri = next(line for line in result.output.splitlines() if line.startswith("otpauth://"))
    assert pyotp.parse_uri(uri).secret == user.totp_secret
    assert pyotp.parse_uri(uri).name == "vera@example.org"


def test_create_client_prints_no_otpauth_uri(app):
    result = app.test_cli_runner().invoke(
        args=["users", "create", "cli@example.org", "--role", "client", "--password", PASSWORD]
    )
    assert result.exit_code == 0, result.output
    assert "otpauth://" not in result.output
    assert _user("cli@example.org").totp_secret is None


def test_create_refuses_a_duplicate_or_a_weak_password(app):
    UserFactory(email="taken@example.org")
    runner = app.test_cli_runner()
    dup = runner.invoke(args=["users", "create", "taken@example.org", "--role", "client", "--password", PASSWORD])
    assert dup.exit_code != 0 and "already exists" in dup.output
    weak = runner.invoke(args=["users", "create", "weak@example.org", "--role", "client", "--password", "short"])
    assert weak.exit_code != 0 and "at least 10 characters" in weak.output
    assert _user("weak@example.org") is None


def test_token_prints_the_token_alone_on_its_last_line(app):
    user = UserFactory()
    result = app.test_cli_runner().invoke(args=["users", "token", user.email])
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    assert token.startswith("cc_") and " " not in token
    resp = app.test_client().get("/api/me", headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 200 and resp.get_json()["email"] == user.email


def test_token_for_an_unknown_user_fails(app):
    result = app.test_cli_runner().invoke(args=["users", "token", "ghost@example.org"])
    assert result.exit_code != 0 and "No user with e-mail ghost@example.org" in result.output


def test_otp_prints_the_current_code_in_testing(app):
    staff = StaffFactory()
    result = app.test_cli_runner().invoke(args=["users", "otp", staff.email])
    assert result.exit_code == 0, result.output
    assert pyotp.TOTP(staff.totp_secret).verify(result.output.strip(), valid_window=1)


def test_otp_is_refused_in_production(app, monkeypatch):
    assert ProductionConfig.ALLOW_OTP_CLI is False
    monkeypatch.setitem(app.config, "ALLOW_OTP_CLI", False)
    staff = StaffFactory()
    result = app.test_cli_runner().invoke(args=["users", "otp", staff.email])
    assert result.exit_code != 0
    assert "refused in production" in result.output
    assert pyotp.TOTP(staff.totp_secret).now() not in result.output
