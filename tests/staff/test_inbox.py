"""The work inbox at /staff/: queues merged past-target first then oldest, scoped by role, counted
as each queue counts itself, in a query count that does not grow with the rows."""

from __future__ import annotations

import contextlib
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.accounts.models import Role
from app.core.db import utcnow
from app.core.models import JobFailure
from app.extensions import db
from app.moderation import queries as moderation_queries
from app.payments import queries as payment_queries
from app.payments.bookkeeping import WebhookEvent, WebhookStatus
from app.payments.models import RefundReason, RefundStatus
from app.verification import queries as verification_queries
from tests.factories import StaffFactory, UserFactory
from tests.factories.analytics import FlagFactory, ModerationItemFactory, RefundFactory
from tests.factories.verification import ApplicationFactory
from tests.sql_log import count_queries

HOUR = timedelta(hours=1)


def _rows(html: str) -> list[str]:
    """The inbox's rows as (queue name) in the order shown."""
    return re.findall(r'<tr data-href="[^"]+" data-queue-name="([a-z_]+)"', html)


def _hrefs(html: str) -> list[str]:
    return re.findall(r'<tr data-href="([^"]+)" data-queue-name', html)


def _count(html: str, queue: str) -> int:
    match = re.search(rf'data-queue-name="{queue}">\s*<h2>[^<]+</h2>\s*<p class="big-number">([\d,]+)</p>', html)
    assert match, f"no count for {queue}"
    return int(match.group(1).replace(",", ""))


def _flagged_item(hours_ago: float, author=None):
    item = ModerationItemFactory(
        first_flagged_at=utcnow() - hours_ago * HOUR, author_id=author.id if author else None, flag_count=1
    )
    FlagFactory(item=item, reporter_id=UserFactory().id)
    return item


def _pending_refund(hours_ago: float, requested_by):
    return RefundFactory(
        status=RefundStatus.PENDING_APPROVAL,
        amount=30000,
        reason=RefundReason.GOODWILL,
        requested_by_id=requested_by.id,
        created_at=utcnow() - hours_ago * HOUR,
    )


def _failed_webhook(hours_ago: float, n: int):
    event = WebhookEvent(
        provider="stripe",
        provider_event_id=f"evt_{n}",
        type="payment_intent.succeeded",
        payload={},
        status=WebhookStatus.FAILED,
        error="KeyError: 'booking'",
        received_at=utcnow() - hours_ago * HOUR,
    )
    db.session.add(event)
    db.session.commit()
    return event


def _failed_job(hours_ago: float):
    failure = JobFailure(
        queue="mail", func="workers.mail.send_mail", args=[1], error="Traceback\nSMTPError: refused",
        created_at=utcnow() - hours_ago * HOUR,
    )  # fmt: skip
    db.session.add(failure)
    db.session.commit()
    return failure


@pytest.fixture
def world():
    """Items in every queue: some past their target (48 h, 24 h, 24 h, 4 h), some not."""
    finance = StaffFactory(roles=[Role.FINANCE], first_name="Fiona")
    return {
        "fresh_app": ApplicationFactory(submitted_at=utcnow() - 10 * HOUR),
        "late_app": ApplicationFactory(submitted_at=utcnow() - 60 * HOUR),  # 12 h past 48 h
        "fresh_item": _flagged_item(20),  # 4 h before its 24 h target
        "late_item": _flagged_item(30),  # 6 h past 24 h
        "refund": _pending_refund(2, finance),
        "hook": _failed_webhook(5, 1),  # 1 h past 4 h
        "job": _failed_job(1),
        "finance": finance,
    }


def test_admin_sees_every_queue_past_target_first_then_oldest(client, login_as, world):
    login_as(StaffFactory(roles=[Role.ADMIN]))
    html = client.get("/staff/").get_data(as_text=True)
    # Past target: the 60 h application, the 30 h item, the 5 h webhook (oldest first); then the rest.
    assert _rows(html) == [
        "verification", "moderation", "failed_webhooks", "moderation", "verification", "refund_approvals",
        "failed_jobs",
    ]  # fmt: skip
    hrefs = _hrefs(html)
    assert hrefs[0] == f"/staff/verification/{world['late_app'].id}"
    assert hrefs[1] == f"/staff/moderation/items/{world['late_item'].id}"
    assert hrefs[3] == f"/staff/moderation/items/{world['fresh_item'].id}"
    assert html.count('class="overdue-row"') == 3
    assert (
        '2 d <small>(target 48 h)</small> · <span class="overdue">overdue</span>' in html
        and "requested by Fiona" in html
        and "SMTPError: refused" in html
    )
    assert "data-queue" in html  # j/k/Enter walk the merged rows


def test_a_moderator_never_sees_refunds_and_finance_never_sees_moderation(client, login_as, world):
    login_as(StaffFactory(roles=[Role.MODERATOR]))
    html = client.get("/staff/").get_data(as_text=True)
    assert set(_rows(html)) == {"moderation"}
    assert "Refund" not in html and "Coach verification" not in html and "Failed jobs" not in html
    login_as(StaffFactory(roles=[Role.FINANCE]))
    html = client.get("/staff/").get_data(as_text=True)
    assert _rows(html) == ["failed_webhooks", "refund_approvals"]
    assert "Moderation" not in html.split("<main", 1)[1] and "Application #" not in html
    login_as(StaffFactory(roles=[Role.VERIFIER]))
    assert _rows(client.get("/staff/").get_data(as_text=True)) == ["verification", "verification"]


def test_counts_equal_each_queues_own_count(client, login_as, world):
    for n in range(3):
        _flagged_item(1 + n)
    ApplicationFactory(status="approved")
    login_as(StaffFactory(roles=[Role.ADMIN]))
    html = client.get("/staff/").get_data(as_text=True)
    assert _count(html, "verification") == verification_queries.status_counts()["submitted"] == 2
    assert _count(html, "moderation") == moderation_queries.status_counts()["pending"] == 5
    assert _count(html, "refund_approvals") == len(payment_queries.approval_queue()) == 1
    assert _count(html, "failed_webhooks") == len(payment_queries.failed_webhooks()) == 1
    assert _count(html, "failed_refunds") == len(payment_queries.failed_refunds()) == 0
    open_jobs = db.session.scalar(
        sa.select(sa.func.count()).select_from(JobFailure).where(JobFailure.retried_at.is_(None))
    )
    assert _count(html, "failed_jobs") == open_jobs == 1
    queue_page = client.get("/staff/verification/").get_data(as_text=True)
    assert "Awaiting decision: <strong>2</strong>" in queue_page
    assert "oldest 2 d" in html  # the verification card's oldest item (60 h)


def test_query_count_does_not_grow_with_the_rows(client, login_as, world):
    admin = StaffFactory(roles=[Role.ADMIN])
    login_as(admin)
    client.get("/staff/")  # warm up
    with count_queries() as few:
        client.get("/staff/")
    for n in range(15):
        ApplicationFactory(submitted_at=utcnow() - (70 + n) * HOUR)
        _flagged_item(40 + n, author=UserFactory())
        _pending_refund(3 + n, world["finance"])
        _failed_webhook(6 + n, 100 + n)
    with count_queries() as many:
        html = client.get("/staff/").get_data(as_text=True)
    assert len(_rows(html)) == 7 + 60
    assert len(many) == len(few), "\n".join(many)


def test_rows_are_bounded_and_the_empty_inbox_says_so(app, client, login_as):
    login_as(StaffFactory(roles=[Role.VERIFIER]))
    assert "Nothing waits in your queues." in client.get("/staff/").get_data(as_text=True)
    for n in range(5):
        ApplicationFactory(submitted_at=utcnow() - (n + 1) * HOUR)
    from app.staff.inbox import inbox_for

    verifier = StaffFactory(roles=[Role.VERIFIER])
    with app.test_request_context():
        inbox = inbox_for(verifier, utcnow(), rows=3)
    assert len(inbox.items) == 3 and inbox.parts[0].count == 5
    assert [i.since for i, _ in inbox.items] == sorted(i.since for i, _ in inbox.items)


@contextlib.contextmanager
def _reads():
    """The statements sent and the rows the database answered them with, while the block runs."""
    seen = {"statements": 0, "rows": 0}

    def after(conn, cursor, statement, parameters, context, executemany):
        seen["statements"] += 1
        seen["rows"] += max(cursor.rowcount, 0)

    sa.event.listen(db.engine, "after_cursor_execute", after)
    try:
        yield seen
    finally:
        sa.event.remove(db.engine, "after_cursor_execute", after)


def test_only_the_shown_rows_are_read_whatever_the_queues_hold(client, login_as, world, monkeypatch):
    """Past ROWS items the statements and the rows read stay the same: keys are merged in SQL and only
    the shown rows are loaded (each queue holds twice as many items as are shown, then four times)."""
    from app.staff import inbox

    monkeypatch.setattr(inbox, "ROWS", 5)
    login_as(StaffFactory(roles=[Role.ADMIN]))
    reads, oldest = [], []
    for step in range(2):
        for n in range(10):
            hours = 100 * (step + 1) + n  # each step's items older than the last's
            oldest.append(ApplicationFactory(submitted_at=utcnow() - (hours + 100) * HOUR))
            _flagged_item(hours, author=UserFactory())
            _pending_refund(hours, world["finance"])
            _failed_webhook(hours, 1000 * (step + 1) + n)
            _failed_job(hours)
        client.get("/staff/")  # warm up
        with _reads() as seen:
            html = client.get("/staff/").get_data(as_text=True)
        reads.append(seen)
        assert len(_rows(html)) == 5
        first = sorted(oldest, key=lambda a: a.submitted_at)[:5]
        assert _hrefs(html) == [f"/staff/verification/{a.id}" for a in first]
        waiting = 10 * (step + 1)
        assert _count(html, "verification") == 2 + waiting and _count(html, "failed_jobs") == 1 + waiting
    assert reads[1] == reads[0]
