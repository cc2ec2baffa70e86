"""Client sign-up: errors beside the fields, nothing typed is lost, the same answer for new and taken
addresses (the owner is mailed instead), a link that confirms the address, and throttling."""

from __future__ import annotations

import re

import sqlalchemy as sa

from app.accounts.models import Role, User
from app.core.db import utcnow
from app.core.models import AuditLog, OutgoingMail
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


def _mails(to: str) -> list[OutgoingMail]:
    return db.session.scalars(sa.select(OutgoingMail).where(OutgoingMail.to_address == to)).all()


def _confirm_link(mail: OutgoingMail) -> str:
    return re.search(r"http://localhost(/register/confirm/\S+)", mail.text_body).group(1)


def _without_per_response_values(page: str) -> str:
    """The page minus what differs on every response anyway (the CSP nonce, the CSRF token)."""
    return re.sub(r'(nonce|content|value)="[A-Za-z0-9_.\-=]{20,}"', r'\1="…"', page)


def test_sign_up_creates_a_client_and_the_mailed_link_confirms_and_logs_in(client):
    resp = client.post("/register", data=_form(client))
    assert resp.status_code == 302 and resp.headers["Location"] == "/register/check-your-inbox"
    assert "ada@example.org" in client.get(resp.headers["Location"]).get_data(as_text=True)
    user = db.session.scalar(sa.select(User).where(User.email == "ada@example.org"))
    assert user.roles == {Role.CLIENT} and user.timezone == "Europe/Paris" and user.password_hash != "analytical-engine"
    assert user.email_verified_at is None
    assert client.get("/dashboard").status_code == 302  # not signed in before the link
    assert db.session.scalar(sa.select(sa.func.count()).where(AuditLog.action == "user.registered")) == 1

    (mail,) = _mails("ada@example.org")
    link = _confirm_link(mail)
    assert client.get(link).status_code == 200  # a mail scanner's GET spends nothing
    confirmed = client.post(link, data={"csrf_token": csrf_token_from(client, link)})
    assert confirmed.status_code == 302 and confirmed.headers["Location"] == "/dashboard"
    assert client.get("/dashboard").status_code == 200
    db.session.expire_all()
    assert db.session.get(User, user.id).email_verified_at is not None
    assert client.get(link).status_code == 404  # used once


def test_a_taken_address_gets_the_same_answer_and_its_owner_a_mail(app):
    UserFactory(email="ada@example.org", first_name="Ada", email_verified_at=utcnow())
    answers = []
    for email in ("ada@example.org", "new-person@example.org"):
        client = app.test_client()
        resp = client.post("/register", data=_form(client, email=email))
        after = client.get(resp.headers["Location"])
        answers.append(
            (
                resp.status_code,
                resp.headers["Location"],
                sorted(c.split("=")[0] for c in resp.headers.getlist("Set-Cookie")),
                after.status_code,
                _without_per_response_values(after.get_data(as_text=True).replace(email, "EMAIL")),
            )
        )
    assert answers[0] == answers[1]
    assert _users() == 2  # the owner's and the new person's; nothing created for the taken address
    (owner_mail,) = _mails("ada@example.org")
    assert owner_mail.template == "sign_up_taken"
    assert "You already have one, so nothing was created." in owner_mail.text_body.replace("\n", " ")
    assert "/password-reset" in owner_mail.text_body


def test_a_never_confirmed_account_gets_a_fresh_link_and_only_the_newest_works(client):
    client.post("/register", data=_form(client))
    first = _confirm_link(_mails("ada@example.org")[0])
    client.post("/register", data=_form(client))
    mails = _mails("ada@example.org")
    assert [m.template for m in mails] == ["welcome", "welcome"] and _users() == 1
    assert client.get(first).status_code == 404
    assert client.get(_confirm_link(mails[1])).status_code == 200


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


def test_sign_ups_are_throttled_per_client_address_with_the_form_kept(app):
    client = app.test_client()
    limit = app.config["SIGN_UP_MAX_PER_ADDRESS"]
    for n in range(limit):
        assert client.post("/register", data=_form(client, email=f"person{n}@example.org")).status_code == 302
    resp = client.post("/register", data=_form(client, email="one-more@example.org"))
    page = resp.get_data(as_text=True)
    assert resp.status_code == 429 and int(resp.headers["Retry-After"]) > 0
    assert "Too many sign-ups. Try again in 15 minutes." in page and 'value="one-more@example.org"' in page
    assert _users() == limit
    elsewhere = app.test_client()
    ok = elsewhere.post(
        "/register", data=_form(elsewhere, email="else@example.org"), environ_base={"REMOTE_ADDR": "10.1.2.3"}
    )
    assert ok.status_code == 302


def test_sign_ups_for_one_typed_address_are_throttled_from_every_client_address(app):
    UserFactory(email="target@example.org", last_login_at=utcnow())
    limit = app.config["SIGN_UP_MAX_PER_ACCOUNT"]
    for n in range(limit + 1):
        client = app.test_client()
        resp = client.post(
            "/register", data=_form(client, email="target@example.org"), environ_base={"REMOTE_ADDR": f"10.0.0.{n}"}
        )
        assert resp.status_code == (302 if n < limit else 429)
    assert len(_mails("target@example.org")) == limit  # the owner is not mail-bombed
