"""The outbox is for admins, and never shows staff the links that would sign a recipient in (issue 22, 5)."""

from __future__ import annotations

import pytest

from app.accounts.models import Role
from app.core.mail import LINK_HIDDEN
from app.core.models import MailStatus, OutgoingMail
from app.extensions import db
from tests.factories import StaffFactory

RESET_URL = "https://cc.test/password/reset/tok_8f2c1a9e"


@pytest.fixture
def reset_mail(app):
    mail = OutgoingMail(
        to_address="ada@example.org",
        subject="Reset your password",
        template="password_reset",
        text_body=f"Choose a new password: {RESET_URL}\n",
        html_body=f'<p><a href="{RESET_URL}">Choose a new password</a></p>',
        status=MailStatus.SENT,
    )
    db.session.add(mail)
    db.session.commit()
    return mail.id


@pytest.mark.parametrize("role", [Role.VERIFIER, Role.MODERATOR, Role.FINANCE])
def test_other_staff_neither_open_nor_see_the_outbox(login_as, role):
    client = login_as(StaffFactory(roles=[role]))
    home = client.get("/staff/").get_data(as_text=True)
    assert (client.get("/staff/outbox").status_code, 'href="/staff/outbox"' in home) == (403, False)


def test_an_admin_sees_a_reset_mail_without_its_link_when_mail_really_goes_out(app, login_as, reset_mail, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "smtp")
    client = login_as(StaffFactory(roles=[Role.ADMIN]))
    detail = client.get(f"/staff/outbox/{reset_mail}").get_data(as_text=True)
    frame = client.get(f"/staff/outbox/{reset_mail}/html").get_data(as_text=True)
    assert (RESET_URL in detail, RESET_URL in frame) == (False, False)
    assert LINK_HIDDEN in detail and LINK_HIDDEN in frame
    assert "so they are hidden here" in detail


def test_in_embedded_mode_the_outbox_is_the_mailbox_and_keeps_the_link(app, login_as, reset_mail):
    assert app.config["MAIL_BACKEND"] == "outbox"
    client = login_as(StaffFactory(roles=[Role.ADMIN]))
    assert RESET_URL in client.get(f"/staff/outbox/{reset_mail}").get_data(as_text=True)
