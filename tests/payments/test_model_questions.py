"""The questions payments and refunds answer about themselves (issue 17): how finance reads a status,
who may refund a payment, who may approve or reject a refund. The refund services refuse what the
models say no to, and the finance pages offer only what they say yes to."""

from __future__ import annotations

import pytest

from app.accounts.models import Role
from app.core.duties import OwnInterest
from app.extensions import db
from app.payments import refunds
from app.payments.models import PaymentStatus, RefundStatus
from tests.factories import StaffFactory, UserFactory
from tests.factories.payments import PaidPaymentFactory


@pytest.fixture
def finance(app):
    return StaffFactory(roles=[Role.FINANCE])


def test_finance_reads_a_succeeded_payment_by_what_went_back(app):
    payment = PaidPaymentFactory(amount=8000)
    assert payment.finance_status == "succeeded"
    payment.amount_refunded = 3000
    assert payment.finance_status == "partly_refunded"
    payment.amount_refunded = 8000
    assert payment.finance_status == "refunded"
    payment.status = PaymentStatus.FAILED
    assert payment.finance_status == "failed"
    db.session.rollback()  # only asked, never saved


def test_who_may_refund_a_payment(app, finance):
    payment = PaidPaymentFactory(amount=8000)
    assert payment.can_be_refunded_by(finance, 8000) and payment.can_be_refunded_by(StaffFactory(roles=[Role.ADMIN]), 1)
    assert not payment.can_be_refunded_by(finance, 0)
    for nobody in (UserFactory(), StaffFactory(roles=[Role.VERIFIER]), payment.client, None):
        assert not payment.can_be_refunded_by(nobody, 8000)
    own = PaidPaymentFactory(amount=8000, booking__client=finance)
    assert own.is_paid_by(finance) and not own.can_be_refunded_by(finance, 8000)
    with pytest.raises(OwnInterest):
        refunds.request_refund(finance, own.id, 1000, "requested_by_customer")
    payment.status = PaymentStatus.FAILED
    assert not payment.can_be_refunded_by(finance, 8000)
    db.session.rollback()  # only asked, never saved


def test_four_eyes_and_own_payments_on_approval(app, finance, client, login_as):
    payment = PaidPaymentFactory(amount=50000)
    refund = refunds.request_refund(finance, payment.id, 30000, "requested_by_customer")
    assert refund.status == RefundStatus.PENDING_APPROVAL
    other = StaffFactory(roles=[Role.FINANCE])
    assert refund.can_be_approved_by(other) and refund.can_be_rejected_by(other)
    assert not refund.can_be_approved_by(finance) and refund.can_be_rejected_by(finance)
    assert not refund.can_be_rejected_by(UserFactory())
    with pytest.raises(OwnInterest, match="A different finance user must approve"):
        refunds.approve_refund(finance, refund.id)
    login_as(finance)
    html = client.get("/staff/finance/approvals").get_data(as_text=True)
    assert f"/staff/finance/refunds/{refund.id}/approve" not in html and "You requested it" in html
    assert f"/staff/finance/refunds/{refund.id}/reject" in html
    # The client of the payment, on the finance desk too, decides neither.
    payer = StaffFactory(roles=[Role.FINANCE])
    theirs = PaidPaymentFactory(amount=50000, booking__client=payer)
    pending = refunds.request_refund(other, theirs.id, 30000, "requested_by_customer")
    assert not pending.can_be_approved_by(payer) and not pending.can_be_rejected_by(payer)
    login_as(payer)
    html = client.get("/staff/finance/approvals").get_data(as_text=True)
    assert f"/staff/finance/refunds/{pending.id}/reject" not in html
    assert "This payment is yours: another finance user must handle its refund." in html
    html = client.get(f"/staff/finance/payments/{theirs.id}").get_data(as_text=True)
    assert "Review refund" not in html and "This payment is yours" in html
