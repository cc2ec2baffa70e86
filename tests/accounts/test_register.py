"""Client sign-up: errors beside the fields, nothing typed is lost, duplicate addresses refused."""

from __future__ import annotations

import sqlalchemy as sa

from app.accounts.models import Role, User
from app.core.models import AuditLog
from app.extensions import db
from tests.accounts.flows import field_error
from tests.conftest import csrf_token_from
from tests.factories import UserFactory
from tests.html import selected


def _form(client, **overrides) -> dict:
    data = {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "email": "ada@example.org",
        "timezone": "Europe/Paris",
        "password": "analytical-engine",
        "confirm": "analytical-engine",
        "csrf_token": csrf_token_from(client, "/register"),
    }
    return {**data, **overrides}


def _users() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(User))


def test_sign_up_creates_a_client_and_logs_in(client):
    resp = client.post("/register", data=_form(client))
    assert resp.status_code == 302 and resp.headers["Location"] == "/dashboard"
    user = db.session.scalar(sa.select(User).where(User.email == "ada@example.org"))
    assert user.roles == {Role.CLIENT} and user.timezone == "Europe/Paris" and user.password_hash != "analytical-engine"
    assert client.get("/dashboard").status_code == 200
    assert db.session.scalar(sa.select(sa.func.count()).where(AuditLog.action == "user.registered")) == 1


def test_errors_appear_beside_their_fields_and_nothing_typed_is_lost(client):
    resp = client.post("/register", data=_form(client, first_name="", password="short", confirm="different"))
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert field_error(page, "first_name")
    assert "between 10 and 200 characters" in field_error(page, "password")
    assert "Passwords differ." in field_error(page, "confirm")
    assert field_error(page, "email") is None
    assert 'value="Lovelace"' in page and 'value="ada@example.org"' in page
    assert selected(page, "timezone") == ["Europe/Paris"]
    assert _users() == 0


def test_a_registered_address_is_refused_with_a_message_beside_the_email(client):
    UserFactory(email="ada@example.org")
    resp = client.post("/register", data=_form(client, email="  ADA@example.org "))
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "An account with this e-mail address already exists." in field_error(page, "email")
    assert 'value="Lovelace"' in page
    assert _users() == 1
