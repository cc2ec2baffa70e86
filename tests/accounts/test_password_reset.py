"""Password reset by mail: identical answers for known and unknown addresses, a single-use link
that expires after an hour and is stored hashed, throttling, other sessions ending, TOTP after."""

from __future__ import annotations

import re
from datetime import timedelta

import time_machine

from app.accounts.models import AccountToken, Role
from app.core.db import utcnow
from app.core.models import AuditLog, OutgoingMail
from app.core.security import sha256_hex
from app.extensions import db
from tests.accounts.flows import current_code, post_code, post_login
from tests.conftest import csrf_token_from
from tests.factories import PASSWORD, StaffFactory, UserFactory

NEW = "brand-new-password-123"


def _ask(client, email: str):
    return client.post(
        "/password-reset", data={"email": email, "csrf_token": csrf_token_from(client, "/password-reset")}
    )


def _link_for(email: str) -> str:
    mail = OutgoingMail.query.filter_by(to_address=email, template="password_reset").one()
    match = re.search(r"http://localhost(/password-reset/[A-Za-z0-9_-]+)", mail.text_body)
    assert match, mail.text_body
    return match.group(1)


def _choose(client, link: str, password: str = NEW):
    token = csrf_token_from(client, "/password-reset")  # the session's token (a spent link shows no form)
    return client.post(link, data={"password": password, "confirm": password, "csrf_token": token})


def _answer(app, email: str) -> tuple[int, str, str]:
    browser = app.test_client()
    resp = _ask(browser, email)
    page = browser.get(resp.location).get_data(as_text=True)
    notice = re.search(r'<p class="flash[^"]*">(.*?)</p>', page, re.S)
    return resp.status_code, resp.location, notice.group(1).strip() if notice else page


def test_known_and_unknown_addresses_get_the_same_answer_and_only_the_known_one_a_mail(app):
    UserFactory(email="known@example.org")
    known, unknown = _answer(app, "known@example.org"), _answer(app, "nobody@example.org")
    assert known == unknown
    assert known[0] == 302 and "If an account uses that address" in known[2]
    assert OutgoingMail.query.filter_by(to_address="known@example.org").count() == 1
    assert OutgoingMail.query.filter_by(to_address="nobody@example.org").count() == 0


def test_the_link_sets_a_new_password_once_and_ends_every_session(app, client):
    user = UserFactory(email="ana@example.org")
    phone = app.test_client()
    assert post_login(phone, user.email).status_code == 302
    _ask(client, "Ana@Example.org")
    link = _link_for("ana@example.org")
    stored = AccountToken.query.one()
    assert stored.token_hash == sha256_hex(link.rsplit("/", 1)[1])  # only the hash is kept
    assert "For ana@example.org" in client.get(link).get_data(as_text=True)

    resp = _choose(client, link)
    assert resp.status_code == 302 and resp.location.startswith("/login")
    assert phone.get("/api/me").status_code == 401  # signed out elsewhere
    assert client.get(link).status_code == 404  # single use
    assert _choose(client, link, "another-password-456").status_code == 404
    assert post_login(app.test_client(), user.email, PASSWORD).status_code == 401
    assert post_login(app.test_client(), user.email, NEW).status_code == 302
    assert OutgoingMail.query.filter_by(to_address=user.email, template="password_changed").count() == 1
    assert AuditLog.query.filter_by(action="user.password_reset").one().after["sessions_ended"] == 1


def test_the_link_expires_after_an_hour(app, client):
    UserFactory(email="late@example.org")
    _ask(client, "late@example.org")
    link = _link_for("late@example.org")
    with time_machine.travel(utcnow() + timedelta(minutes=59), tick=False):
        assert app.test_client().get(link).status_code == 200
    with time_machine.travel(utcnow() + timedelta(minutes=61), tick=False):
        page = app.test_client().get(link)
        assert page.status_code == 404 and "Ask for a new one" in page.get_data(as_text=True)
        assert _choose(app.test_client(), "/password-reset/" + link.rsplit("/", 1)[1]).status_code == 404
    assert post_login(app.test_client(), "late@example.org", PASSWORD).status_code == 302


def test_a_newer_link_replaces_the_older_one(client):
    UserFactory(email="twice@example.org")
    _ask(client, "twice@example.org")
    first = _link_for("twice@example.org")
    OutgoingMail.query.delete()
    db.session.commit()
    _ask(client, "twice@example.org")
    assert client.get(first).status_code == 404
    assert client.get(_link_for("twice@example.org")).status_code == 200


def test_requests_are_throttled_per_address_typed_known_or_not(app):
    UserFactory(email="known@example.org")
    for email in ("known@example.org", "nobody@example.org"):
        answers = [_ask(app.test_client(), email).status_code for _ in range(4)]
        assert answers == [302, 302, 302, 429], email  # RESET_MAX_PER_ACCOUNT = 3, the same for both
    assert OutgoingMail.query.filter_by(to_address="known@example.org").count() == 3


def test_requests_are_throttled_per_client_address(app):
    browser = app.test_client()
    answers = [_ask(browser, f"person{n}@example.org").status_code for n in range(11)]
    assert answers[:10] == [302] * 10 and answers[10] == 429  # RESET_MAX_PER_ADDRESS = 10
    page = _ask(browser, "someone@example.org")
    assert page.status_code == 429 and page.headers["Retry-After"] == "900"
    assert "Too many reset requests" in page.get_data(as_text=True)


def test_staff_still_need_their_code_after_a_reset(app, client):
    staff = StaffFactory(email="mod@example.org", roles=[Role.MODERATOR])
    _ask(client, "mod@example.org")
    assert _choose(client, _link_for("mod@example.org")).status_code == 302
    browser = app.test_client()
    resp = post_login(browser, staff.email, NEW)
    assert resp.status_code == 302 and resp.location.startswith("/login/verify")
    assert browser.get("/staff/").status_code == 302  # not in before the code
    assert post_code(browser, "/login/verify", current_code(staff)).status_code == 302
    assert browser.get("/staff/").status_code == 200


def test_a_disabled_account_gets_no_link(client):
    UserFactory(email="off@example.org", is_enabled=False)
    assert _ask(client, "off@example.org").status_code == 302
    assert not OutgoingMail.query.count()
