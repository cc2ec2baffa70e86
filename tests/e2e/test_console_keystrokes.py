"""Keystrokes and wall time per decision in the console (issue 18's measurements, printed):
a verifier approves in <= 3 keystrokes and rejects with a template in <= 5, a moderator hides a spam
reply from the queue in <= 3 and lands on the next item, finance refunds part of a payment found by
e-mail in <= 4 clicks (or Enter) plus typing the amount, the confirmation showing the amounts."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.accounts.models import Role
from app.core.db import utcnow
from app.extensions import db
from app.moderation.models import ItemStatus, ModerationItem
from app.moderation.services import flag_target
from app.payments.models import Refund
from app.verification.models import (
    ApplicationStatus,
    CertificateCheck,
    CheckResult,
    ChecksState,
    CoachApplication,
    RejectionTemplate,
)
from tests.e2e.conftest import staff_login
from tests.factories import StaffFactory, UserFactory
from tests.factories.analytics import PaymentFactory
from tests.factories.community import OldUserFactory, ReplyFactory
from tests.factories.verification import ApplicationFactory

pytestmark = pytest.mark.e2e


class Tally:
    """Counts what the user does: keys pressed, clicks made; and the wall time since start()."""

    def __init__(self, page):
        self.page, self.keys, self.clicks, self.started = page, 0, 0, time.monotonic()

    def press(self, key: str) -> None:
        self.keys += 1
        self.page.keyboard.press(key)

    def click(self, locator) -> None:
        self.clicks += 1
        locator.click()

    def report(self, what: str) -> str:
        line = f"{what}: {self.keys} keystrokes, {self.clicks} clicks, {time.monotonic() - self.started:.2f} s"
        print(line)
        return line


def _status(application_id: int) -> ApplicationStatus:
    db.session.expire_all()
    return db.session.get(CoachApplication, application_id).status


def test_verifier_approves_in_three_keystrokes_and_rejects_with_a_template_in_five(page, base):
    first = ApplicationFactory(submitted_at=utcnow() - timedelta(hours=30), checks_state=ChecksState.DONE)
    second = ApplicationFactory(submitted_at=utcnow() - timedelta(hours=20), checks_state=ChecksState.DONE)
    db.session.add(CertificateCheck(application_id=first.id, name="name", result=CheckResult.PASS, message="ok"))
    db.session.add(RejectionTemplate(title="Not an iPEC certificate", body="The certificate is not from iPEC."))
    db.session.commit()
    staff_login(page, base, StaffFactory(roles=[Role.VERIFIER]))
    page.goto(f"{base}/staff/verification/")

    tally = Tally(page)
    tally.press("Enter")  # the oldest row starts selected
    page.wait_for_url(f"**/staff/verification/{first.id}")
    tally.press("a")  # focuses Approve
    tally.press("Enter")
    page.wait_for_url(f"**/staff/verification/{second.id}")
    tally.report("verifier approves")
    assert _status(first.id) == ApplicationStatus.APPROVED
    assert tally.keys <= 3 and tally.clicks == 0

    page.goto(f"{base}/staff/verification/")
    tally = Tally(page)
    tally.press("Enter")
    page.wait_for_url(f"**/staff/verification/{second.id}")
    tally.press("r")  # focuses the template chooser
    tally.press("ArrowDown")  # the first template fills the reason
    expect(page.locator("#reject-reason")).to_have_value("The certificate is not from iPEC.")
    tally.press("Control+Enter")
    page.wait_for_url(lambda url: f"/staff/verification/{second.id}" not in url)
    tally.report("verifier rejects with a template")
    assert _status(second.id) == ApplicationStatus.REJECTED
    assert tally.keys <= 5 and tally.clicks == 0


def _spam(body: str) -> ModerationItem:
    reply = ReplyFactory(body_md=body)
    flag_target(OldUserFactory(), "reply", reply.id, "spam", "advert")
    return db.session.scalar(sa.select(ModerationItem).where(ModerationItem.target_id == reply.id))


def test_moderator_hides_spam_from_the_queue_in_three_keystrokes(page, base):
    spam = _spam("Cheap pills at my-pharmacy example, best prices")
    spam.priority = 10.0
    db.session.commit()
    following = _spam("Buy followers now")
    staff_login(page, base, StaffFactory(roles=[Role.MODERATOR]))
    page.goto(f"{base}/staff/moderation/")
    expect(page.locator("table[data-queue] tbody tr").first).to_contain_text("Cheap pills")  # the excerpt

    tally = Tally(page)
    tally.press("Enter")
    page.wait_for_url(f"**/items/{spam.id}")
    tally.press("h")  # hide; the reason is suggested and focused
    expect(page.locator("#reason")).to_be_focused()
    tally.press("Control+Enter")
    page.wait_for_url(f"**/items/{following.id}")  # on to the next item
    tally.report("moderator hides spam")
    db.session.expire_all()
    assert db.session.get(ModerationItem, spam.id).status == ItemStatus.HIDDEN
    assert tally.keys <= 3 and tally.clicks == 0


def test_finance_refunds_part_of_a_payment_found_by_email_in_four_clicks(page, base):
    client = UserFactory(email="nora.client@example.org")
    payment = PaymentFactory(booking__client=client, amount=9000)
    staff_login(page, base, StaffFactory(roles=[Role.FINANCE]))
    page.goto(f"{base}/staff/finance/")

    tally = Tally(page)
    page.get_by_label("Search").fill("nora.client@example.org")
    tally.press("Enter")
    tally.click(page.get_by_role("link", name=f"#{payment.id}", exact=True))
    page.get_by_role("textbox", name="Amount to refund").fill("25.00")
    tally.click(page.get_by_role("button", name="Review refund"))
    expect(page.get_by_test_id("refund-amount")).to_have_text("EUR 25.00")
    expect(page.get_by_text("Remaining refundable after")).to_be_visible()
    tally.click(page.get_by_role("button", name="Refund EUR 25.00"))
    expect(page.get_by_text("Refund of EUR 25.00")).to_be_visible()
    tally.report("finance partial refund (plus typing the e-mail and the amount)")
    assert db.session.scalars(sa.select(Refund.amount)).all() == [2500]
    assert tally.keys + tally.clicks <= 4
