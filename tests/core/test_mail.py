"""Mail: SMTP delivery against aiosmtpd, the outbox backend and its console pages, failures."""

from __future__ import annotations

import sqlalchemy as sa

from app.accounts.models import Role
from app.core.effects import commit
from app.core.mail import deliver, queue_mail
from app.core.models import JobFailure, MailStatus, OutgoingMail
from app.extensions import db
from tests.conftest import csrf_token_from
from tests.core.conftest import run_burst
from tests.factories import StaffFactory, UserFactory
from tests.services import free_port

PDF = b"%PDF-1.4\n% test attachment \xe2\x82\xac\n%%EOF\n"
SUBJECT = "Willkommen bei Coach Connect — Grüße ✓"


def _use_smtp(app, monkeypatch, port: int, host: str = "127.0.0.1") -> None:
    for key, value in {"MAIL_BACKEND": "smtp", "SMTP_HOST": host, "SMTP_PORT": port}.items():
        monkeypatch.setitem(app.config, key, value)


def _queue_welcome(user, subject: str = SUBJECT, attachments=None) -> OutgoingMail:
    mail = queue_mail(
        user.email, "welcome", subject, {"user": user, "login_url": "https://cc.test/login"}, attachments=attachments
    )
    commit()
    return mail


def test_smtp_delivers_multipart_mail_with_attachment(app, monkeypatch, smtp_server):
    host, port, handler = smtp_server
    _use_smtp(app, monkeypatch, port, host)
    before = len(handler.messages)
    user = UserFactory(first_name="Jürgen", email="juergen@example.org")
    mail = _queue_welcome(
        user, attachments=[{"filename": "Rechnung März.pdf", "content_type": "application/pdf", "data": PDF}]
    )

    assert db.session.get(OutgoingMail, mail.id).status == MailStatus.SENT
    assert mail.sent_at is not None and mail.attempts == 1 and mail.error is None
    (msg,) = handler.messages[before:]
    assert msg["Subject"] == SUBJECT
    assert msg["To"] == "juergen@example.org"
    assert msg["From"] == app.config["MAIL_FROM"]
    assert msg.get_content_type() == "multipart/mixed"
    assert msg["Date"] and msg["Message-ID"].endswith("@coachconnect.test>")
    text = msg.get_body(preferencelist=("plain",)).get_content()
    html = msg.get_body(preferencelist=("html",)).get_content()
    assert "Hello Jürgen," in text and "https://cc.test/login" in text
    assert "Hello Jürgen," in html and 'href="https://cc.test/login"' in html
    (attachment,) = list(msg.iter_attachments())
    assert attachment.get_filename() == "Rechnung März.pdf"
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content() == PDF


def test_delivering_twice_sends_once(app, monkeypatch, smtp_server):
    host, port, handler = smtp_server
    _use_smtp(app, monkeypatch, port, host)
    before = len(handler.messages)
    mail = _queue_welcome(UserFactory())
    deliver(mail.id)  # a retried job finds the mail already sent
    assert len(handler.messages) == before + 1
    assert db.session.get(OutgoingMail, mail.id).attempts == 1


def test_html_body_escapes_user_data(app):
    mail = _queue_welcome(UserFactory(first_name="<script>alert(1)</script>"))
    assert "<script>" not in mail.html_body
    assert "&lt;script&gt;" in mail.html_body
    assert "Hello <script>alert(1)</script>," in mail.text_body  # plain text is not HTML


def test_outbox_backend_keeps_the_mail_for_the_console(app, login_as):
    mail = _queue_welcome(UserFactory(email="ada@example.org"))
    assert mail.status == MailStatus.OUTBOX and mail.sent_at is not None

    client = login_as(StaffFactory(roles=[Role.ADMIN]))
    page = client.get("/staff/outbox").get_data(as_text=True)
    assert "ada@example.org" in page and SUBJECT in page and "status-outbox" in page

    detail = client.get(f"/staff/outbox/{mail.id}").get_data(as_text=True)
    assert "Hello " in detail and "https://cc.test/login" in detail  # the text version
    assert f'sandbox src="/staff/outbox/{mail.id}/html"' in detail

    frame = client.get(f"/staff/outbox/{mail.id}/html")
    assert frame.status_code == 200
    assert frame.content_type == "text/html; charset=utf-8"
    assert "sandbox" in frame.headers["Content-Security-Policy"]
    assert "script-src" not in frame.headers["Content-Security-Policy"]  # default-src 'none' covers it
    assert frame.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert frame.get_data(as_text=True) == mail.html_body


def test_outbox_search_by_recipient_or_subject(app, login_as):
    _queue_welcome(UserFactory(email="ada@example.org"), subject="Welcome Ada")
    _queue_welcome(UserFactory(email="bob@example.org"), subject="Your receipt")
    client = login_as(StaffFactory(roles=[Role.ADMIN]))
    page = client.get("/staff/outbox?q=ADA@").get_data(as_text=True)
    assert "ada@example.org" in page and "bob@example.org" not in page
    page = client.get("/staff/outbox?q=receipt").get_data(as_text=True)
    assert "bob@example.org" in page and "ada@example.org" not in page
    page = client.get("/staff/outbox?q=nobody").get_data(as_text=True)
    assert "No mails" in page


def test_outbox_pages_are_staff_only(app, login_as):
    mail = _queue_welcome(UserFactory())
    client = login_as(UserFactory(roles=[Role.CLIENT, Role.COACH]))
    for path in ("/staff/outbox", f"/staff/outbox/{mail.id}", f"/staff/outbox/{mail.id}/html"):
        assert client.get(path).status_code == 403
    assert login_as(StaffFactory(roles=[Role.ADMIN])).get("/staff/outbox/999999").status_code == 404


def test_smtp_down_marks_failed_and_inline_records_the_failure(app, monkeypatch):
    _use_smtp(app, monkeypatch, free_port())
    mail = _queue_welcome(UserFactory())
    failed = db.session.get(OutgoingMail, mail.id)
    assert failed.status == MailStatus.FAILED
    assert "refused" in failed.error.lower()
    failure = db.session.scalars(sa.select(JobFailure)).one()
    assert (failure.func, failure.args, failure.queue) == ("workers.mail.deliver_mail", [mail.id], "mail")


def test_smtp_down_under_rq_retries_then_console_retry_delivers(app, monkeypatch, rq_jobs, smtp_server, login):
    _use_smtp(app, monkeypatch, free_port())
    mail = _queue_welcome(UserFactory())
    run_burst(rq_jobs.connection, "mail")  # first attempt and two retries, all refused

    failed = db.session.get(OutgoingMail, mail.id)
    assert failed.status == MailStatus.FAILED and failed.attempts == 3
    failure = db.session.scalars(sa.select(JobFailure)).one()
    assert "ConnectionRefusedError" in failure.error

    host, port, handler = smtp_server  # the SMTP server is back
    _use_smtp(app, monkeypatch, port, host)
    before = len(handler.messages)
    client = login(StaffFactory(roles=[Role.ADMIN]))
    token = csrf_token_from(client, "/staff/jobs")
    assert client.post(f"/staff/jobs/{failure.id}/retry", data={"csrf_token": token}).status_code == 302
    run_burst(rq_jobs.connection, "mail")
    db.session.expire_all()
    assert db.session.get(OutgoingMail, mail.id).status == MailStatus.SENT
    assert len(handler.messages) == before + 1


def test_sign_up_sends_the_welcome_mail(app, client):
    token = csrf_token_from(client, "/register")
    resp = client.post(
        "/register",
        data={
            "first_name": "Grace",
            "last_name": "Hopper",
            "email": "Grace@Example.org",
            "timezone": "UTC",
            "password": "a-long-password-1",
            "confirm": "a-long-password-1",
            "csrf_token": token,
        },
    )
    assert resp.status_code == 302
    mail = db.session.scalars(sa.select(OutgoingMail)).one()
    assert (mail.to_address, mail.template, mail.subject) == (
        "grace@example.org",
        "welcome",
        "Welcome to Coach Connect",
    )
    assert mail.status == MailStatus.OUTBOX
    assert "Hello Grace," in mail.text_body
    assert "http://localhost/login" in mail.text_body


def test_starttls_required_but_not_offered_fails_the_mail(app, monkeypatch, smtp_server):
    host, port, _ = smtp_server
    _use_smtp(app, monkeypatch, port, host)
    monkeypatch.setitem(app.config, "SMTP_STARTTLS", True)
    mail = _queue_welcome(UserFactory())
    failed = db.session.get(OutgoingMail, mail.id)
    assert failed.status == MailStatus.FAILED
    assert failed.error.startswith("SMTPNotSupportedError: STARTTLS extension not supported")
