"""The console's inbox and a person's timeline in the browser: j/k/Enter across queues, axe clean,
and the README's screenshots: tests/e2e/artifacts/readme-*.png on every run, and with
README_SCREENSHOTS=1 app/static/img/readme-inbox.png and readme-timeline.png themselves."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.accounts.models import Role
from app.core.db import utcnow
from app.extensions import db
from app.moderation.models import ModerationItem
from app.moderation.services import flag_target
from app.payments.models import RefundReason, RefundStatus
from tests.e2e.conftest import assert_accessible, snap, staff_login
from tests.factories import StaffFactory, UserFactory
from tests.factories.analytics import PaymentFactory, RefundFactory
from tests.factories.community import OldUserFactory, ReplyFactory
from tests.factories.verification import ApplicationFactory

pytestmark = pytest.mark.e2e

README_IMG = Path(__file__).resolve().parents[2] / "app" / "static" / "img"


def _screenshot(page, name: str) -> None:
    """Into the artifacts; into the README's images too when README_SCREENSHOTS=1 (a run leaves git clean)."""
    snap(page, name)
    if os.environ.get("README_SCREENSHOTS") == "1":
        page.screenshot(path=str(README_IMG / f"{name}.png"), full_page=True)


HOUR = timedelta(hours=1)


def _flag(body: str, hours_ago: float, author=None):
    reply = ReplyFactory(body_md=body, **({"author": author} if author else {}))
    flag_target(OldUserFactory(), "reply", reply.id, "spam", "advert")
    item = db.session.scalar(sa.select(ModerationItem).where(ModerationItem.target_id == reply.id))
    item.first_flagged_at = utcnow() - hours_ago * HOUR
    db.session.commit()
    return item


def _world():
    """A few items in every queue an admin works, and a client with a history."""
    finance = StaffFactory(roles=[Role.FINANCE], first_name="Fiona", last_name="Finance")
    verifier = StaffFactory(roles=[Role.VERIFIER], first_name="Vera", last_name="Verifier")
    for first, last, hours in (("Grace", "Hopper", 60), ("Alan", "Turing", 30), ("Ada", "Lovelace", 3)):
        ApplicationFactory(user=UserFactory(first_name=first, last_name=last), first_name=first, last_name=last,
                           submitted_at=utcnow() - hours * HOUR)  # fmt: skip
    from app.verification import claims

    claimed = ApplicationFactory(user=UserFactory(first_name="Edsger", last_name="Dijkstra"), first_name="Edsger",
                                 last_name="Dijkstra", submitted_at=utcnow() - 20 * HOUR)  # fmt: skip
    claims.claim_application(claimed.id, verifier)
    client = UserFactory(first_name="Clara", last_name="Client", created_at=utcnow() - timedelta(days=90))
    _flag("Cheap pills, visit my site for the best prices", 28)
    _flag("Buy followers now!!! Limited offer", 5, author=client)
    first = PaymentFactory(booking__client=client, booking__created_at=utcnow() - 40 * 24 * HOUR, amount=12000,
                           created_at=utcnow() - 40 * 24 * HOUR)  # fmt: skip
    PaymentFactory(booking__client=client, booking__created_at=utcnow() - 10 * 24 * HOUR, amount=9000,
                   created_at=utcnow() - 10 * 24 * HOUR)  # fmt: skip
    RefundFactory(payment=first, amount=3000, reason=RefundReason.GOODWILL, created_at=utcnow() - 30 * 24 * HOUR)
    RefundFactory(payment=first, amount=9000, reason=RefundReason.REQUESTED_BY_CUSTOMER, requested_by_id=finance.id,
                  status=RefundStatus.PENDING_APPROVAL, created_at=utcnow() - 6 * HOUR)  # fmt: skip
    return client


def test_inbox_walks_across_queues_and_the_timeline_reads_as_a_story(page, base):
    client = _world()
    admin = StaffFactory(roles=[Role.ADMIN], first_name="Ann", last_name="Admin")
    page.set_viewport_size({"width": 1366, "height": 900})
    staff_login(page, base, admin)
    page.goto(f"{base}/staff/")
    rows = page.locator("table.inbox tbody tr")
    queues = rows.evaluate_all("rs => rs.map(r => r.dataset.queueName)")
    # Past their targets first (60 h of 48, 28 h of 24), then the rest oldest first.
    assert queues == ["verification", "moderation", "verification", "verification", "refund_approvals", "moderation",
                      "verification"]  # fmt: skip
    assert_accessible(page)
    _screenshot(page, "readme-inbox")
    # j moves the selection down into another queue's item; Enter opens it.
    first_queue, second_queue = queues[0], queues[1]
    assert first_queue != second_queue
    page.keyboard.press("j")
    href = rows.nth(1).get_attribute("data-href")
    assert rows.nth(1).get_attribute("aria-selected") == "true"
    page.keyboard.press("k")
    assert rows.nth(0).get_attribute("aria-selected") == "true"
    page.keyboard.press("j")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{href}")

    page.goto(f"{base}/staff/people/{client.id}")
    page.get_by_role("heading", name="Clara Client").wait_for()
    stream = page.locator("ol.timeline li")
    assert stream.count() >= 6
    assert_accessible(page)
    _screenshot(page, "readme-timeline")
    page.get_by_label("Logins and account").uncheck()
    page.get_by_label("Flags raised and received").uncheck()
    page.get_by_label("Moderation actions").uncheck()
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**show=money**")
    sections = page.locator("ol.timeline li").evaluate_all("ls => ls.map(l => l.dataset.section)")
    assert set(sections) == {"money"}
