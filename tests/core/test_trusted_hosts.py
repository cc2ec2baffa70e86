"""Host header attacks (issue 22): mail links come from PUBLIC_BASE_URL, and TRUSTED_HOSTS refuses other hosts."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app import create_app
from app.accounts.models import Role
from app.core.db import utcnow
from app.core.models import OutgoingMail
from app.extensions import db
from app.notifications.services import send_due_mails
from config import ProductionConfig
from tests.conftest import csrf_token_from
from tests.factories import UserFactory

BASE = "https://coach.example"


@pytest.fixture
def public_base(app, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", BASE)
    monkeypatch.setitem(app.config, "SERVER_NAME", None)  # as in production: links would follow the Host
    return BASE


class HostClient:
    """The test client with a `Host` header of our choosing on every request."""

    def __init__(self, client, host: str):
        self.client, self.host = client, host

    def get(self, path, **kwargs):
        return self.client.get(path, headers={"Host": self.host}, **kwargs)

    def post(self, path, **kwargs):
        return self.client.post(path, headers={"Host": self.host}, **kwargs)


@pytest.fixture
def evil_client(client):
    """Every request says `Host: evil.example`."""
    return HostClient(client, "evil.example")


def _register(client):
    token = csrf_token_from(client, "/register")
    return client.post(
        "/register",
        data={
            "first_name": "Mallory",
            "last_name": "Host",
            "email": "mallory@example.org",
            "timezone": "UTC",
            "password": "a-long-password-1",
            "confirm": "a-long-password-1",
            "csrf_token": token,
        },
    )


def test_a_sign_up_with_a_foreign_host_mails_a_link_on_the_public_base_url(public_base, evil_client):
    assert _register(evil_client).status_code == 302
    mail = db.session.scalars(sa.select(OutgoingMail)).one()
    assert f"{BASE}/login" in mail.text_body and f'href="{BASE}/login"' in mail.html_body
    assert "evil.example" not in mail.text_body + mail.html_body


def test_a_message_sent_with_a_foreign_host_links_the_coach_to_the_public_base_url(public_base, client, evil_client):
    coach, writer = UserFactory(roles=[Role.COACH]), UserFactory(first_name="Mallory")
    with client.session_transaction(headers={"Host": "evil.example"}) as session:  # the cookie for that host
        session["_user_id"] = str(writer.id)
    path = f"/messages/new/{coach.id}"
    resp = evil_client.post(path, data={"body": "Hello", "csrf_token": csrf_token_from(evil_client, path)})
    assert resp.status_code == 302
    send_due_mails(utcnow() + timedelta(minutes=3))  # the coach left it unread: the mail follows
    mail = OutgoingMail.query.filter_by(to_address=coach.email).one()
    assert f"Open it: {BASE}/messages/" in mail.text_body
    assert "evil.example" not in mail.text_body + mail.html_body


def test_a_base_url_with_a_path_prefix_keeps_it(app, monkeypatch):
    from app.core.mail import external_url, public_host

    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://example.org/coaching")
    with app.app_context():
        assert external_url("accounts.login") == "https://example.org/coaching/login"
        assert public_host() == "example.org"


def test_trusted_hosts_refuses_a_foreign_host_and_nothing_is_mailed(app, monkeypatch, public_base, evil_client):
    monkeypatch.setitem(app.config, "TRUSTED_HOSTS", ["coach.example"])
    for resp in (evil_client.get("/register"), evil_client.post("/register", data={"email": "m@example.org"})):
        assert resp.status_code == 400
        assert "This site does not answer for that host name." in resp.get_data(as_text=True)
    assert evil_client.get("/api/coaches").get_json()["error"]["code"] == "untrusted_host"
    assert OutgoingMail.query.count() == 0
    evil_client.host = "coach.example"
    assert evil_client.get("/register").status_code == 200


def _production_app(monkeypatch, **env):
    from tests.conftest import TEST_DATABASE_URL

    for name, value in {
        "SECRET_KEY": "s3cret",
        "PAYOUT_ENCRYPTION_KEY": "payout-key",
        "DATABASE_URL": TEST_DATABASE_URL,
        **env,
    }.items():
        monkeypatch.setenv(name, value)
    return create_app(
        ProductionConfig, PUBLIC_BASE_URL=env.get("PUBLIC_BASE_URL"), SQLALCHEMY_DATABASE_URI=TEST_DATABASE_URL
    )


def test_production_refuses_to_start_without_a_public_base_url(monkeypatch):
    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    with pytest.raises(RuntimeError, match="PUBLIC_BASE_URL must be set"):
        _production_app(monkeypatch)
    with pytest.raises(RuntimeError, match="PUBLIC_BASE_URL must be an absolute http"):
        _production_app(monkeypatch, PUBLIC_BASE_URL="coach.example")


def test_production_answers_only_the_public_host_and_loopback(monkeypatch):
    app = _production_app(monkeypatch, PUBLIC_BASE_URL="https://coach.example")
    assert app.config["TRUSTED_HOSTS"] == ["coach.example", "localhost", "127.0.0.1"]
    client = app.test_client()
    assert client.get("/livez", base_url="https://coach.example").status_code == 200
    assert client.get("/livez", base_url="http://127.0.0.1:8000").status_code == 200
    assert client.get("/livez", base_url="https://evil.example").status_code == 400
    with app.app_context():
        db.engine.dispose()
