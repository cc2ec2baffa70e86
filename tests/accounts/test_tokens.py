"""Personal access tokens: created on /settings, shown once, Bearer auth, revocation, audit."""

from __future__ import annotations

import re

import sqlalchemy as sa

from app.accounts.models import ApiToken
from app.core.models import AuditLog
from app.extensions import db
from tests.conftest import csrf_token_from
from tests.factories import StaffFactory, UserFactory

TOKEN = re.compile(r'<code id="new-token">(cc_[A-Za-z0-9_-]{43})</code>')


def _create(client, name="laptop") -> str:
    resp = client.post("/settings", data={"name": name, "csrf_token": csrf_token_from(client, "/settings")})
    assert resp.status_code == 200
    match = TOKEN.search(resp.get_data(as_text=True))
    assert match, "the new token is not shown"
    return match.group(1)


def test_a_token_is_shown_once_stored_hashed_and_audited(client, login_as):
    user = UserFactory()
    login_as(user)
    plain = _create(client)
    assert not TOKEN.search(client.get("/settings").get_data(as_text=True))
    assert plain not in client.get("/settings").get_data(as_text=True)
    row = db.session.scalar(sa.select(ApiToken))
    assert row.user_id == user.id and row.name == "laptop" and row.token_hash != plain and plain.startswith(row.prefix)
    audit = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "api_token.created"))
    assert audit.actor_id == user.id and audit.object_type == "api_tokens" and audit.object_id == str(row.id)
    assert plain not in str(audit.after)


def test_bearer_token_authenticates_the_api(app, client, login_as):
    user = UserFactory()
    login_as(user)
    plain = _create(client)
    api = app.test_client()  # no cookies: the token alone
    resp = api.get("/api/me", headers={"Authorization": f"Bearer {plain}"})
    assert resp.status_code == 200
    assert resp.get_json()["email"] == user.email and resp.get_json()["roles"] == ["client"]
    db.session.expire_all()
    assert db.session.scalar(sa.select(ApiToken.last_used_at)) is not None


def test_a_revoked_token_answers_401_with_a_json_error(app, client, login_as):
    user = UserFactory()
    login_as(user)
    plain = _create(client)
    token_id = db.session.scalar(sa.select(ApiToken.id))
    resp = client.post(f"/settings/tokens/{token_id}/revoke", data={"csrf_token": csrf_token_from(client, "/settings")})
    assert resp.status_code == 302
    api = app.test_client()
    denied = api.get("/api/me", headers={"Authorization": f"Bearer {plain}"})
    assert denied.status_code == 401
    assert denied.get_json()["error"]["code"] == "invalid_token"
    assert denied.headers["WWW-Authenticate"].startswith("Bearer")
    assert db.session.scalar(sa.select(sa.func.count()).where(AuditLog.action == "api_token.revoked")) == 1


def test_garbage_tokens_answer_401_invalid_token(app):
    api = app.test_client()
    for header in ("Bearer nonsense", "Bearer cc_" + "x" * 43):
        resp = api.get("/api/me", headers={"Authorization": header})
        assert (resp.status_code, resp.get_json()["error"]["code"]) == (401, "invalid_token"), header


def test_missing_or_empty_tokens_answer_401_unauthenticated(app):
    api = app.test_client()
    for headers in ({}, {"Authorization": "Bearer "}):
        resp = api.get("/api/me", headers=headers)
        assert (resp.status_code, resp.get_json()["error"]["code"]) == (401, "unauthenticated"), headers


def test_anonymous_unsafe_api_calls_answer_401_before_any_csrf_check(app):
    api = app.test_client()
    for path in ("/api/coaches/apply", "/api/payments/refund", "/api/bookings"):
        resp = api.post(path, json={})
        assert (resp.status_code, resp.get_json()["error"]["code"]) == (401, "unauthenticated"), path


def test_nobody_revokes_someone_elses_token(client, login_as):
    owner = UserFactory()
    login_as(owner)
    _create(client)
    token_id = db.session.scalar(sa.select(ApiToken.id))
    login_as(UserFactory())
    resp = client.post(f"/settings/tokens/{token_id}/revoke", data={"csrf_token": csrf_token_from(client, "/settings")})
    assert resp.status_code == 404
    assert db.session.scalar(sa.select(ApiToken.revoked_at)) is None


def test_the_token_user_wins_over_the_session_cookie(app, client, login_as):
    staff = StaffFactory()
    login_as(staff)
    client_user = UserFactory()
    from tests.security_clients import bearer_for

    resp = client.get("/api/me", headers=bearer_for(client_user))
    assert resp.get_json()["email"] == client_user.email
