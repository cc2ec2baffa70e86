"""The finance console: who may open it, filters, totals, CSV, pages, and the two-step refund form."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.accounts.models import Role
from app.core.db import utcnow
from app.core.models import OutgoingMail
from app.extensions import db
from app.payments.models import Payment, Refund, RefundStatus
from tests.conftest import csrf_token_from
from tests.factories import StaffFactory, UserFactory
from tests.factories.payments import PaidPaymentFactory

GET_ROUTES = [
    "/staff/finance/",
    "/staff/finance/export.csv",
    "/staff/finance/payments/{id}",
    "/staff/finance/approvals",
]
POST_ROUTES = [
    "/staff/finance/payments/{id}/refund",
    "/staff/finance/payments/{id}/refund/confirm",
    "/staff/finance/refunds/1/approve",
    "/staff/finance/refunds/1/reject",
    "/staff/finance/refunds/1/retry",
    "/staff/finance/webhooks/1/retry",
]


@pytest.fixture
def as_user(client, login_as):
    def do(user):
        return login_as(user)

    return do


@pytest.mark.parametrize(
    "roles,allowed",
    [
        ((Role.CLIENT,), False),
        ((Role.COACH,), False),
        ((Role.VERIFIER,), False),
        ((Role.MODERATOR,), False),
        ((Role.FINANCE,), True),
        ((Role.ADMIN,), True),
    ],
)
def test_finance_routes_permission_matrix(client, as_user, roles, allowed):
    payment = PaidPaymentFactory()
    user = StaffFactory(roles=roles) if set(roles) - {Role.CLIENT, Role.COACH} else UserFactory(roles=roles)
    as_user(user)
    for path in GET_ROUTES:
        resp = client.get(path.format(id=payment.id))
        assert resp.status_code == (200 if allowed else 403), path
    if not allowed:
        token = csrf_token_from(client, "/dashboard")
        for path in POST_ROUTES:
            assert client.post(path.format(id=payment.id), data={"csrf_token": token}).status_code == 403, path


def test_anonymous_is_sent_to_login(client):
    for path in GET_ROUTES:
        resp = client.get(path.format(id=1))
        assert resp.status_code == 302 and "/login" in resp.headers["Location"]


def test_filters_search_totals_and_csv(client, as_user):
    a = PaidPaymentFactory(amount=9000)
    b = PaidPaymentFactory(amount=5000, amount_refunded=5000)
    old = PaidPaymentFactory(amount=7000)
    db.session.execute(sa.update(Payment).where(Payment.id == old.id).values(created_at=utcnow() - timedelta(days=90)))
    db.session.commit()
    as_user(StaffFactory(roles=[Role.FINANCE]))
    page = client.get("/staff/finance/").get_data(as_text=True)
    assert f"#{a.id}" in page and f"#{b.id}" in page and f"#{old.id}" not in page  # last 30 days by default
    assert "EUR 140.00" in page and "EUR 50.00" in page and "EUR 90.00" in page  # paid, refunded, net
    everything = client.get("/staff/finance/?date_from=").get_data(as_text=True)
    assert f"#{old.id}" in everything
    refunded = client.get("/staff/finance/?refunded=full").get_data(as_text=True)
    assert f"#{b.id}" in refunded and f"#{a.id}</a>" not in refunded
    by_mail = client.get(f"/staff/finance/?q={a.client.email}").get_data(as_text=True)
    assert f"#{a.id}</a>" in by_mail and f"#{b.id}</a>" not in by_mail
    by_id = client.get(f"/staff/finance/?q=%23{b.id}&date_from=").get_data(as_text=True)
    assert f"#{b.id}</a>" in by_id and f"#{a.id}</a>" not in by_id
    amount = client.get("/staff/finance/?amount_min=60&amount_max=95").get_data(as_text=True)
    assert f"#{a.id}</a>" in amount and f"#{b.id}</a>" not in amount
    csv = client.get("/staff/finance/export.csv?refunded=no").get_data(as_text=True).splitlines()
    assert csv[0].startswith("payment_id,created_at_utc,status,amount")
    assert len(csv) == 2 and csv[1].startswith(f"{a.id},")


def test_keyset_pages(client, as_user):
    for _ in range(52):
        PaidPaymentFactory()
    as_user(StaffFactory(roles=[Role.FINANCE]))
    first = client.get("/staff/finance/").get_data(as_text=True)
    assert 'rel="next"' in first
    import re

    link = re.search(r'href="([^"]+)" rel="next"', first).group(1).replace("&amp;", "&")
    second = client.get(link).get_data(as_text=True)
    assert second.count('<tr data-href="') == 2
    # The totals are the first page's: a later page links back instead of adding them up again.
    assert "EUR 4,680.00" in first.split("Matching payments")[0]
    assert 'data-totals="first-page"' in second and "EUR 4,680.00" not in second


def test_refund_form_confirms_then_refunds_once(client, as_user):
    payment = PaidPaymentFactory(amount=9000)
    finance = StaffFactory(roles=[Role.FINANCE])
    as_user(finance)
    token = csrf_token_from(client, f"/staff/finance/payments/{payment.id}")
    review = client.post(
        f"/staff/finance/payments/{payment.id}/refund",
        data={"csrf_token": token, "amount": "25.50", "reason": "coach_no_show", "note": "coach missed it"},
    )
    page = review.get_data(as_text=True)
    assert review.status_code == 200 and "EUR 25.50" in page and "EUR 64.50" in page  # refund and what remains
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Refund)) == 0
    import re

    fields = dict(re.findall(r'name="(\w+)" type="hidden" value="([^"]*)"', page))
    for _ in range(2):  # a double click
        resp = client.post(f"/staff/finance/payments/{payment.id}/refund/confirm", data=fields)
        assert resp.status_code == 302
    refunds = db.session.scalars(sa.select(Refund)).all()
    assert len(refunds) == 1 and refunds[0].amount == 2550 and refunds[0].status == RefundStatus.SUCCEEDED
    assert db.session.get(Payment, payment.id).amount_refunded == 2550
    assert db.session.scalar(sa.select(OutgoingMail.to_address)) == payment.client.email
    detail = client.get(f"/staff/finance/payments/{payment.id}").get_data(as_text=True)
    assert "of EUR 25.50 succeeded" in detail and "Coach did not show up" in detail and "EUR 64.50" in detail


def test_refund_form_refuses_too_much(client, as_user):
    payment = PaidPaymentFactory(amount=9000, amount_refunded=8000)
    as_user(StaffFactory(roles=[Role.ADMIN]))
    token = csrf_token_from(client, f"/staff/finance/payments/{payment.id}")
    resp = client.post(
        f"/staff/finance/payments/{payment.id}/refund",
        data={"csrf_token": token, "amount": "20", "reason": "goodwill", "note": ""},
    )
    assert resp.status_code == 409 and "At most EUR 10.00 remains refundable" in resp.get_data(as_text=True)


def test_approvals_queue_on_the_console_home(app, client, as_user):
    app.config["REFUND_APPROVAL_THRESHOLD"] = 1000
    try:
        from app.payments import refunds

        payment = PaidPaymentFactory(amount=9000)
        alice, bob = StaffFactory(roles=[Role.FINANCE]), StaffFactory(roles=[Role.FINANCE])
        refund = refunds.request_refund(alice, payment.id, 5000, "goodwill", "big one")
        as_user(bob)
        home = client.get("/staff/").get_data(as_text=True)
        assert "Refund approvals" in home and f"Refund #{refund.id} of payment #{payment.id}" in home
        token = csrf_token_from(client, "/staff/finance/approvals")
        assert client.post(f"/staff/finance/refunds/{refund.id}/approve", data={"csrf_token": token}).status_code == 302
        db.session.expire_all()
        assert db.session.get(Refund, refund.id).status == RefundStatus.SUCCEEDED
    finally:
        app.config["REFUND_APPROVAL_THRESHOLD"] = 20000
