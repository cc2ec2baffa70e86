"""Risk at a glance on the payment page, the verification review and the moderation item: facts
computed in SQL (disputes and refund rate, strikes, account age, the same file or iPEC number
elsewhere, what the certificate's text said), each linking to its evidence the viewer may open."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

from app.accounts.models import Role
from app.core.db import utcnow
from app.extensions import db
from app.moderation.models import ActionKind, ModerationAction
from app.verification.models import CertificateCheck, CheckResult, ChecksState
from tests.factories import StaffFactory, UserFactory
from tests.factories.analytics import ModerationItemFactory, PaymentFactory
from tests.factories.verification import ApplicationFactory, DocumentFactory


def _fact(html: str, label: str) -> str:
    """The text of one fact's value (tags stripped), and its link if any, as 'text -> href'."""
    match = re.search(rf'<dd class="risk-(\w+)" data-fact="{label}">(.*?)</dd>', html, re.S)
    assert match, f"no fact {label}"
    body = match.group(2)
    href = re.search(r'href="([^"]+)"', body)
    text = unescape(re.sub(r"<[^>]+>", "", body)).strip()
    return f"{match.group(1)}: {text}" + (f" -> {unescape(href.group(1))}" if href else "")


def _strike(person, kind=ActionKind.WARN):
    db.session.add(ModerationAction(target_user_id=person.id, kind=kind, reason="spam"))
    db.session.commit()


def test_payment_page_shows_the_clients_disputes_and_refund_rate(client, login_as):
    person = UserFactory(email="risky@example.org", created_at=utcnow() - timedelta(days=400))
    payments = [PaymentFactory(booking__client=person, amount=5000) for _ in range(4)]
    payments[0].is_disputed = True
    payments[1].amount_refunded = payments[2].amount_refunded = 1000
    db.session.commit()
    _strike(person)
    login_as(StaffFactory(roles=[Role.FINANCE]))
    html = client.get(f"/staff/finance/payments/{payments[3].id}").get_data(as_text=True)
    assert "Risk at a glance" in html
    fact = _fact(html, "As client")
    assert fact.startswith("bad: high 1 dispute; 2 of 4 payments refunded (50%)")
    assert fact.endswith("-> /staff/finance/?client=risky@example.org&date_from=")
    assert _fact(html, "Account age").startswith("info: 400 days")
    # Finance may not open moderation's evidence: the number without the link.
    assert _fact(html, "Past strikes") == "warn: note 1 warning"
    # The evidence link lists exactly this client's payments, whatever their age.
    listing = client.get(fact.split(" -> ")[1]).get_data(as_text=True)
    assert all(f"#{p.id}</a>" in listing for p in payments)


def test_a_quiet_coach_and_new_client_read_as_such(client, login_as):
    person = UserFactory(created_at=utcnow() - timedelta(hours=3))
    payment = PaymentFactory(booking__client=person)
    login_as(StaffFactory(roles=[Role.ADMIN]))
    html = client.get(f"/staff/finance/payments/{payment.id}").get_data(as_text=True)
    assert _fact(html, "Account age").startswith("warn: note under a day")
    coach = payment.coach.user
    assert (
        _fact(html, "As coach")
        == f"info: 0 disputes; 0 of 1 payments refunded (0%) -> /staff/finance/?coach={coach.email}&date_from="
    )
    assert _fact(html, "Past strikes").startswith("info: none -> /staff/people/")


def test_review_page_shows_duplicates_strikes_and_the_certificates_own_checks(client, login_as):
    applicant = UserFactory()
    application = ApplicationFactory(user=applicant, ipec_number="IPEC-777", checks_state=ChecksState.DONE)
    DocumentFactory(application=application, data=b"same bytes", text_source="ocr", ocr_confidence=82.4)
    other = ApplicationFactory(ipec_number="IPEC-777")
    DocumentFactory(application=other, data=b"same bytes")
    for name, result in (("name", CheckResult.PASS), ("level", CheckResult.FAIL), ("issuer", CheckResult.WARN),
                         ("file_type", CheckResult.PASS)):  # fmt: skip
        db.session.add(CertificateCheck(application_id=application.id, name=name, result=result, message="."))
    db.session.commit()
    _strike(applicant, ActionKind.SUSPEND)
    verifier = StaffFactory(roles=[Role.VERIFIER])
    login_as(verifier)
    html = client.get(f"/staff/verification/{application.id}").get_data(as_text=True)
    assert _fact(html, "Same certificate file") == (
        f"bad: high on 1 other person's application (#{other.id}…) -> /staff/verification/{other.id}"
    )
    assert _fact(html, "Same iPEC number").startswith(f"warn: note on 1 other person's application (#{other.id}")
    assert _fact(html, "Certificate read") == "bad: high level fail; issuer warn (OCR, confidence 82%) -> #checks"
    assert 'id="checks"' in html
    assert _fact(html, "Past strikes") == "bad: high 1 suspension"  # a verifier gets no moderation link
    assert "As client" in html and "/staff/finance/" not in html


def test_review_page_never_says_read_before_the_checks_ran(client, login_as):
    application = ApplicationFactory(checks_state=ChecksState.PENDING)
    DocumentFactory(application=application)
    login_as(StaffFactory(roles=[Role.VERIFIER]))
    html = client.get(f"/staff/verification/{application.id}").get_data(as_text=True)
    assert _fact(html, "Certificate read") == "warn: note checks pending -> #checks"
    assert _fact(html, "Same certificate file").startswith("info: not on another person's application")


def test_moderation_item_shows_the_authors_facts_with_moderation_evidence(client, login_as):
    author = UserFactory(created_at=utcnow() - timedelta(days=2))
    _strike(author)
    _strike(author, ActionKind.HIDE)
    _strike(author, ActionKind.HIDE)
    item = ModerationItemFactory(author_id=author.id)
    login_as(StaffFactory(roles=[Role.MODERATOR]))
    html = client.get(f"/staff/moderation/items/{item.id}").get_data(as_text=True)
    assert _fact(html, "Past strikes") == (
        f"warn: note 1 warning, 2 posts hidden -> /staff/people/{author.id}?show=moderation"
    )
    assert _fact(html, "Account age").startswith("warn: note 2 days")
    assert _fact(html, "As client") == "info: no paid payments"  # no finance link for a moderator
