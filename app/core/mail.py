"""Templated mail (HTML + text): rendered into OutgoingMail, delivered by a job.

Two backends: the outbox (embedded default; kept for /staff/outbox) and SMTP.
"""

from __future__ import annotations

import base64
import logging
import re
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from urllib.parse import urlsplit

from flask import current_app, render_template

from app.core.db import utcnow
from app.core.jobs import enqueue_after_commit
from app.core.models import MailStatus, OutgoingMail
from app.extensions import db

log = logging.getLogger(__name__)


def external_url(endpoint: str, **values) -> str:
    """An absolute link for mails, on PUBLIC_BASE_URL: never the Host of the request that queued the mail."""
    app = current_app
    base = urlsplit(app.config["PUBLIC_BASE_URL"])
    app.inject_url_defaults(endpoint, values)
    adapter = app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme)
    return adapter.build(endpoint, values, force_external=True)


def public_host() -> str:
    """The host name of PUBLIC_BASE_URL (e.g. for calendar UIDs)."""
    return urlsplit(current_app.config["PUBLIC_BASE_URL"]).hostname


# Mails whose links sign the recipient in or prove they own the address (a password reset, an
# e-mail change, a Google link confirmation): staff reading the outbox never see those links,
# except in embedded mode, where the outbox is the only mailbox there is (MAIL_BACKEND=outbox).
SECRET_LINK_TEMPLATES = frozenset({"welcome", "password_reset", "email_change_confirm", "oidc_link_confirm"})
LINK_HIDDEN = "[link hidden: it would let staff act as the recipient]"
_URL = re.compile(r"https?://[^\s\"'<>]+")


def links_hidden(mail: OutgoingMail) -> bool:
    """Whether the outbox shows this mail with its links hidden."""
    return mail.template in SECRET_LINK_TEMPLATES and current_app.config["MAIL_BACKEND"] != "outbox"


def bodies_for_staff(mail: OutgoingMail) -> tuple[str, str]:
    """(text, html) of the mail as the staff outbox may show them."""
    if not links_hidden(mail):
        return mail.text_body, mail.html_body
    return _URL.sub(LINK_HIDDEN, mail.text_body), _URL.sub(LINK_HIDDEN, mail.html_body)


def queue_mail(
    to: str,
    template: str,
    subject: str,
    context: dict | None = None,
    attachments: list[dict] | None = None,
) -> OutgoingMail:
    """Render mail/<template>.txt and .html, store the mail, and deliver it after the commit.

    attachments: [{"filename", "content_type", "data": bytes}] (kept base64 in the row).
    """
    ctx = {"subject": subject, **(context or {})}
    mail = OutgoingMail(
        to_address=to,
        subject=subject,
        template=template,
        text_body=render_template(f"mail/{template}.txt", **ctx),
        html_body=render_template(f"mail/{template}.html", **ctx),
        attachments=[
            {
                "filename": a["filename"],
                "content_type": a["content_type"],
                "data": base64.b64encode(a["data"]).decode(),
            }
            for a in attachments or []
        ]
        or None,
    )
    db.session.add(mail)
    db.session.flush()
    enqueue_after_commit("workers.mail.deliver_mail", mail.id, queue="mail")
    return mail


def build_message(mail: OutgoingMail, sender: str) -> EmailMessage:
    """A multipart/alternative message with any attachments."""
    msg = EmailMessage()
    msg["Subject"] = mail.subject
    msg["From"] = sender
    msg["To"] = mail.to_address
    msg["Date"] = formatdate(usegmt=True)
    msg["Message-ID"] = make_msgid(idstring=f"mail{mail.id}", domain=parseaddr(sender)[1].partition("@")[2] or None)
    msg.set_content(mail.text_body)
    msg.add_alternative(mail.html_body, subtype="html")
    for a in mail.attachments or []:
        maintype, _, subtype = a["content_type"].partition("/")
        msg.add_attachment(base64.b64decode(a["data"]), maintype=maintype, subtype=subtype, filename=a["filename"])
    return msg


def _smtp_connection(config) -> smtplib.SMTP:
    """An SMTP connection as configured: implicit TLS (SMTP_SSL), STARTTLS, or plain; logged in."""
    context = ssl.create_default_context()  # verify the server's certificate
    if config.get("SMTP_SSL"):
        smtp = smtplib.SMTP_SSL(config["SMTP_HOST"], config["SMTP_PORT"], timeout=30, context=context)
    else:
        smtp = smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=30)
    try:
        if config["SMTP_STARTTLS"] and not config.get("SMTP_SSL"):
            smtp.starttls(context=context)
        if config["SMTP_USERNAME"]:
            smtp.login(config["SMTP_USERNAME"], config["SMTP_PASSWORD"] or "")
    except BaseException:
        smtp.close()  # a refused STARTTLS or login must not leak the socket
        raise
    return smtp


def deliver(mail_id: int) -> None:
    """Send (SMTP) or file (outbox) one mail; a mail already delivered is left alone.

    The row is locked while sending, so two workers running the same job send it once.
    Raises on an SMTP failure (after marking the mail FAILED) so that rq retries the job.
    """
    mail = db.session.get(OutgoingMail, mail_id, with_for_update=True, populate_existing=True)
    if mail is None or mail.status in (MailStatus.SENT, MailStatus.OUTBOX):
        db.session.rollback()
        return
    config = current_app.config
    mail.attempts += 1
    if config["MAIL_BACKEND"] == "outbox":
        mail.status = MailStatus.OUTBOX
        mail.sent_at = utcnow()
        db.session.commit()
        return
    try:
        with _smtp_connection(config) as smtp:
            smtp.send_message(build_message(mail, config["MAIL_FROM"]))
    except (OSError, smtplib.SMTPException) as exc:
        mail.status = MailStatus.FAILED
        mail.error = f"{exc.__class__.__name__}: {exc}"
        db.session.commit()
        raise
    mail.status = MailStatus.SENT
    mail.sent_at = utcnow()
    mail.error = None
    db.session.commit()
