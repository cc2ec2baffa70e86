"""Refund events out of order: a late, older event never moves a refund back, and a failure reported
after a success is checked against the provider's current state (localstripe) first.
"""

from __future__ import annotations

import time

import sqlalchemy as sa

from app.accounts.models import Role
from app.extensions import db
from app.payments import refunds, services
from app.payments.models import Payment, Refund, RefundStatus
from tests.factories import StaffFactory
from tests.factories.analytics import RefundFactory
from tests.factories.payments import HeldBookingFactory, PaidPaymentFactory
from tests.payments.conftest import event, sign


def _post(client, body: bytes):
    headers = {"Content-Type": "application/json", "Stripe-Signature": sign(body)}
    return client.post("/webhooks/stripe", data=body, headers=headers)


def test_an_older_success_delivered_after_a_newer_failure_leaves_the_refund_failed(client, webhook_secret):
    payment = PaidPaymentFactory(amount=9000)
    refund = RefundFactory(payment=payment, amount=3000, status=RefundStatus.PENDING, provider_refund_id="re_ooo1")
    obj = {
        "id": "re_ooo1",
        "object": "refund",
        "amount": 3000,
        "payment_intent": payment.provider_intent_id,
        "metadata": {"refund_id": str(refund.id)},
    }
    now = int(time.time())
    failed = event(
        "evt_new", "refund.updated", {**obj, "status": "failed", "failure_reason": "expired_or_canceled_card"}, now
    )
    succeeded = event("evt_old", "refund.updated", {**obj, "status": "succeeded"}, now - 30)
    assert [_post(client, failed).status_code, _post(client, succeeded).status_code] == [200, 200]
    db.session.expire_all()
    refund = db.session.get(Refund, refund.id)
    assert (refund.status, refund.failure_message) == (RefundStatus.FAILED, "expired_or_canceled_card")
    assert db.session.get(Payment, payment.id).amount_refunded == 0
    assert refund.can_be_retried


def test_a_failure_reported_after_a_success_is_read_back_from_stripe(stripe_app, client, webhook_secret):
    booking = HeldBookingFactory(amount=9000)
    intent = services.create_intent(booking.client, booking.id)
    payment = services.confirm_payment(booking.client, intent.payment.id, "pm_card_visa")
    refund = refunds.request_refund(StaffFactory(roles=[Role.FINANCE]), payment.id, 4000, "goodwill")
    db.session.expire_all()
    refund = db.session.get(Refund, refund.id)
    assert refund.status == RefundStatus.SUCCEEDED
    # An event says it failed; localstripe (the provider's current state) says it succeeded.
    obj = {
        "id": refund.provider_refund_id,
        "object": "refund",
        "amount": 4000,
        "status": "failed",
        "payment_intent": payment.provider_intent_id,
        "metadata": {"refund_id": str(refund.id)},
    }
    assert _post(client, event("evt_f1", "refund.updated", obj)).status_code == 200
    db.session.expire_all()
    assert db.session.get(Refund, refund.id).status == RefundStatus.SUCCEEDED
    assert db.session.get(Payment, payment.id).amount_refunded == 4000
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Refund)) == 1
