"""A person's timeline at /staff/people/<id>: one stream of what they did and what was done about
them, each section only for the roles that may see it, filterable, audited when opened, and linked
from the console's names."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.accounts.models import Role
from app.core.db import utcnow
from app.core.models import AuditLog
from app.extensions import db
from app.moderation.models import ActionKind, FlagStatus, ItemStatus, ModerationAction
from app.payments.models import RefundReason
from tests.factories import StaffFactory, UserFactory
from tests.factories.analytics import FlagFactory, ModerationItemFactory, PaymentFactory, RefundFactory
from tests.factories.verification import ApplicationFactory
from tests.sql_log import count_queries

DAY = timedelta(days=1)


@pytest.fixture
def client_world():
    """A client with two bookings and payments, a partial refund, a flag raised, a post flagged and a warning."""
    person = UserFactory(first_name="Clara", last_name="Client")
    base = utcnow() - 30 * DAY
    first = PaymentFactory(booking__client=person, booking__created_at=base, amount=12000, created_at=base)
    later = base + 5 * DAY
    second = PaymentFactory(booking__client=person, booking__created_at=later, amount=8000, created_at=later)
    refund = RefundFactory(payment=first, amount=3000, reason=RefundReason.GOODWILL, created_at=base + 6 * DAY)
    raised = FlagFactory(reporter_id=person.id, created_at=base + 7 * DAY, status=FlagStatus.DISMISSED,
                         item=ModerationItemFactory(status=ItemStatus.KEPT))  # fmt: skip
    received = ModerationItemFactory(
        author_id=person.id, status=ItemStatus.HIDDEN, flag_count=2, first_flagged_at=base + 8 * DAY
    )
    moderator = StaffFactory(roles=[Role.MODERATOR], first_name="Mo")
    db.session.add(ModerationAction(item_id=received.id, actor_id=moderator.id, target_user_id=person.id,
                                    kind=ActionKind.WARN, reason="Advertising", created_at=base + 9 * DAY))  # fmt: skip
    db.session.add(
        AuditLog(actor_id=person.id, action="user.login", object_type="users", object_id=str(person.id),
                 ip_address="203.0.113.9", created_at=base + 10 * DAY)
    )  # fmt: skip
    db.session.commit()
    return {"person": person, "payments": (first, second), "refund": refund, "raised": raised, "received": received}


def _entries(html: str) -> list[str]:
    return re.findall(r'<li data-section="([a-z]+)">', html)


def test_admin_sees_one_chronological_stream_of_every_section(client, login_as, client_world):
    person = client_world["person"]
    first, second = client_world["payments"]
    login_as(StaffFactory(roles=[Role.ADMIN]))
    html = client.get(f"/staff/people/{person.id}").get_data(as_text=True)
    assert "<h1>Clara Client</h1>" in html
    # Newest first: login, warning, their post flagged, the flag they raised, the refund, payments and bookings.
    assert _entries(html) == ["account", "moderation", "flags", "flags", "money", "money", "money", "money", "money"]
    assert "Logged in from 203.0.113.9" in html
    assert "warn by Mo" in html and "Advertising" in html
    assert "was flagged ×2" in html and "hidden" in html
    assert "dismissed (item kept)" in html
    assert f"Refund #{client_world['refund'].id} of EUR 30.00 on payment #{first.id} (goodwill)" in html
    assert f"Paid EUR 120.00 for booking #{first.booking_id} (payment #{first.id}, EUR 30.00 refunded)" in html
    assert f'href="/staff/finance/payments/{second.id}"' in html


@pytest.mark.parametrize(
    ("role", "sections"),
    [
        (Role.FINANCE, {"money"}),
        (Role.MODERATOR, {"flags", "moderation"}),
        (Role.VERIFIER, set()),
    ],
)
def test_each_section_is_hidden_from_the_roles_that_may_not_see_it(client, login_as, client_world, role, sections):
    login_as(StaffFactory(roles=[role]))
    html = client.get(f"/staff/people/{client_world['person'].id}").get_data(as_text=True)
    assert set(_entries(html)) == sections
    if "money" not in sections:
        assert "EUR 120.00" not in html and "Refund #" not in html and "Bookings, payments" not in html
    if "flags" not in sections:
        assert "was flagged" not in html and "Flagged discussion" not in html and "Advertising" not in html
    assert "203.0.113.9" not in html and "Logins and account" not in html  # admins only


def test_a_verifier_sees_applications_and_decisions(client, login_as):
    applicant = UserFactory(first_name="Ada")
    application = ApplicationFactory(user=applicant)
    verifier = StaffFactory(roles=[Role.VERIFIER], first_name="Vera")
    from app.verification import claims, review

    claims.claim_application(application.id, verifier)
    review.reject_application(application.id, verifier, "The certificate is not from iPEC.")
    login_as(verifier)
    html = client.get(f"/staff/people/{applicant.id}").get_data(as_text=True)
    assert f"Started application #{application.id}" in html
    assert "rejected by Vera" in html and "The certificate is not from iPEC." in html
    login_as(StaffFactory(roles=[Role.FINANCE]))
    assert "Started application" not in client.get(f"/staff/people/{applicant.id}").get_data(as_text=True)


def test_filters_narrow_the_stream(client, login_as, client_world):
    login_as(StaffFactory(roles=[Role.ADMIN]))
    html = client.get(f"/staff/people/{client_world['person'].id}?show=flags&show=account").get_data(as_text=True)
    assert set(_entries(html)) == {"flags", "account"}
    assert 'value="flags" checked' in html and 'value="money" checked' not in html


def test_opening_it_is_audited_with_the_sections_shown(client, login_as, client_world):
    finance = StaffFactory(roles=[Role.FINANCE])
    login_as(finance)
    client.get(f"/staff/people/{client_world['person'].id}")
    row = db.session.scalars(sa.select(AuditLog).where(AuditLog.action == "user.timeline_viewed")).one()
    assert row.actor_id == finance.id and row.object_id == str(client_world["person"].id)
    assert row.after == {"sections": ["money"]}


def test_query_count_does_not_grow_with_the_history(client, login_as, client_world):
    login_as(StaffFactory(roles=[Role.ADMIN]))
    url = f"/staff/people/{client_world['person'].id}"
    client.get(url)
    with count_queries() as few:
        client.get(url)
    person = client_world["person"]
    for n in range(10):
        payment = PaymentFactory(booking__client=person, amount=5000 + n)
        RefundFactory(payment=payment, amount=100)
        FlagFactory(reporter_id=person.id)
    with count_queries() as many:
        client.get(url)
    assert len(many) == len(few)


def test_names_in_the_console_link_to_the_timeline(client, login_as):
    applicant = UserFactory(first_name="Linda")
    ApplicationFactory(user=applicant, submitted_at=utcnow() - timedelta(hours=3))
    login_as(StaffFactory(roles=[Role.VERIFIER]))
    for page in ("/staff/", "/staff/verification/"):
        assert f'href="/staff/people/{applicant.id}"' in client.get(page).get_data(as_text=True), page
