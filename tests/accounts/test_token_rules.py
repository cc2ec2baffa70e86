"""API tokens are for /api/ only, scoped (read, write, staff:<role>), need TOTP for a staff role and expire."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine

from app.accounts import tokens
from app.accounts.models import ApiToken, Role
from app.core.db import utcnow
from app.core.errors import ValidationFailed
from app.extensions import db
from tests.accounts.flows import field_error
from tests.conftest import csrf_token_from
from tests.factories import StaffFactory, UserFactory
from tests.permissions import live_routes


def _bearer(user, **kwargs) -> dict[str, str]:
    _, plain = tokens.create_api_token(user, "t", **kwargs)
    return {"Authorization": f"Bearer {plain}"}


def test_a_token_opens_no_staff_or_admin_route(app):
    """Every /staff and /admin route and method of the URL map (the permission table's rows)."""
    admin = StaffFactory(roles=[Role.ADMIN, Role.FINANCE, Role.MODERATOR, Role.VERIFIER])
    headers = _bearer(admin)
    api = app.test_client()
    console = [r for r in live_routes(app).values() if r.rule.startswith(("/staff", "/admin"))]
    assert len(console) > 50
    wrong = []
    for route in console:
        resp = api.open(route.path, method=route.method, headers=headers)
        body = resp.get_json(silent=True) or {}
        if resp.status_code != 403 or body.get("error", {}).get("code") != "token_not_accepted":
            wrong.append(f"{route.method} {route.path}: {resp.status_code}")
    assert not wrong, "\n".join(wrong)


def test_a_token_is_refused_outside_the_api_even_next_to_a_logged_in_cookie(client, login_as):
    admin = StaffFactory(roles=[Role.ADMIN])
    login_as(admin)
    assert client.get("/staff/users").status_code == 200
    resp = client.get("/staff/users", headers=_bearer(admin))
    assert resp.status_code == 403 and "only under /api/" in resp.get_json()["error"]["message"]
    assert client.get("/dashboard", headers=_bearer(admin)).status_code == 403


def test_a_read_token_reads_but_does_not_write(app):
    user = UserFactory()
    api = app.test_client()
    read = _bearer(user, scopes=["read"])
    assert api.get("/api/me", headers=read).status_code == 200
    resp = api.post("/api/messages/thread", json={}, headers=read)
    assert resp.status_code == 403 and resp.get_json()["error"]["code"] == "insufficient_scope"
    assert 'scope="write"' in resp.headers["WWW-Authenticate"]
    write = _bearer(user, scopes=["write"])
    assert api.get("/api/me", headers=write).status_code == 403
    assert api.post("/api/messages/thread", json={}, headers=write).status_code == 400  # past auth: the body


def test_a_staff_role_needs_its_own_scope(app):
    moderator = StaffFactory(roles=[Role.MODERATOR])
    api = app.test_client()
    plain = _bearer(moderator, scopes=["read", "write"])
    assert api.get("/api/moderation/queue", headers=plain).status_code == 403
    assert api.get("/api/me", headers=plain).get_json()["roles"] == []
    scoped = _bearer(moderator, scopes=["read", "staff:moderator"])
    assert api.get("/api/moderation/queue", headers=scoped).status_code == 200
    assert api.get("/api/me", headers=scoped).get_json()["roles"] == ["moderator"]


def test_a_staff_scope_needs_totp_when_created_and_when_used(app):
    verifier = UserFactory(roles=[Role.VERIFIER])  # a staff role, no TOTP enrolled
    with pytest.raises(ValidationFailed, match="TOTP"):
        tokens.create_api_token(verifier, "t", scopes=["read", "staff:verifier"])
    token, _ = tokens.create_api_token(verifier, "t")
    assert token.scope_set == {"read", "write"}

    staff = StaffFactory(roles=[Role.VERIFIER])
    headers = _bearer(staff)
    assert db.session.scalar(sa.select(ApiToken.scopes).where(ApiToken.user_id == staff.id)) == (
        "read staff:verifier write"
    )
    api = app.test_client()
    assert api.get("/api/me", headers=headers).get_json()["roles"] == ["verifier"]
    staff.totp_enabled_at = None  # e.g. reset by an admin: the token no longer acts as staff
    db.session.commit()
    assert api.get("/api/me", headers=headers).get_json()["roles"] == []


def test_nobody_gives_a_token_a_role_they_do_not_hold():
    with pytest.raises(ValidationFailed, match="staff:admin"):
        tokens.create_api_token(StaffFactory(roles=[Role.FINANCE]), "t", scopes=["read", "staff:admin"])
    with pytest.raises(ValidationFailed, match="at least one"):
        tokens.create_api_token(UserFactory(), "t", scopes=[])


def test_tokens_expire_after_ninety_days_by_default(app):
    user = UserFactory()
    token, plain = tokens.create_api_token(user, "t")
    assert timedelta(days=90) - timedelta(minutes=1) < token.expires_at - utcnow() <= timedelta(days=90)
    api, headers = app.test_client(), {"Authorization": f"Bearer {plain}"}
    with time_machine.travel(utcnow() + timedelta(days=89), tick=False):
        assert api.get("/api/me", headers=headers).status_code == 200
    with time_machine.travel(utcnow() + timedelta(days=90, minutes=1), tick=False):
        resp = api.get("/api/me", headers=headers)
        assert resp.status_code == 401 and resp.get_json()["error"]["code"] == "invalid_token"


def test_the_settings_form_offers_the_scopes_of_the_users_roles_and_a_lifetime(client, login_as):
    staff = StaffFactory(roles=[Role.FINANCE])
    login_as(staff)
    page = client.get("/settings").get_data(as_text=True)
    assert 'value="staff:finance"' in page and 'value="staff:admin"' not in page
    assert 'name="days"' in page and 'value="90"' in page
    data = {"name": "books", "scopes": ["read", "staff:finance"], "days": "7", "scopes_shown": "1"}
    resp = client.post("/settings", data={**data, "csrf_token": csrf_token_from(client, "/settings")})
    assert resp.status_code == 200 and 'id="new-token"' in resp.get_data(as_text=True)
    token = db.session.scalar(sa.select(ApiToken))
    assert token.scope_set == {"read", "staff:finance"}
    assert timedelta(days=6) < token.expires_at - utcnow() <= timedelta(days=7)


def test_the_settings_form_says_so_beside_the_field_without_scopes_or_with_a_bad_lifetime(client, login_as):
    login_as(UserFactory())
    token = csrf_token_from(client, "/settings")
    page = client.post("/settings", data={"name": "x", "scopes_shown": "1", "days": "90", "csrf_token": token})
    assert "Choose at least one scope." in field_error(page.get_data(as_text=True), "scopes")
    page = client.post(
        "/settings", data={"name": "x", "scopes": "read", "scopes_shown": "1", "days": "0", "csrf_token": token}
    )
    assert field_error(page.get_data(as_text=True), "days")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == 0
