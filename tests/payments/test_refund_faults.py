"""Refunds under provider faults: lost, late and failed answers between us and localstripe.

Each fault hits the first POST /v1/refunds through tests/payments/faulty_proxy.py. Whatever the
fault, one logical refund travels under one idempotency key, and our books equal localstripe's.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
import stripe

from app.accounts.models import Role
from app.core.models import AuditLog
from app.extensions import db
from app.payments import refunds, services
from app.payments.models import Payment, Refund, RefundStatus
from tests.factories import StaffFactory
from tests.factories.payments import HeldBookingFactory
from tests.payments.faulty_proxy import running_proxy


@pytest.fixture
def proxy(stripe_app, localstripe_url):
    """The app's Stripe calls go through a fault-injecting proxy; the client times out after 1 s."""
    saved = stripe_app.config["STRIPE_TIMEOUT_SECONDS"]
    with running_proxy(localstripe_url, delay_seconds=2.5) as state:
        stripe_app.config.update(STRIPE_API_BASE=state.url, STRIPE_TIMEOUT_SECONDS=1)
        yield state
    stripe_app.config.update(STRIPE_API_BASE=localstripe_url, STRIPE_TIMEOUT_SECONDS=saved)


def _paid(amount=9000) -> Payment:
    booking = HeldBookingFactory(amount=amount)
    intent = services.create_intent(booking.client, booking.id)
    return services.confirm_payment(booking.client, intent.payment.id, "pm_card_visa")


def _remote_refunds(localstripe_url, intent_id):
    client = stripe.StripeClient("sk_test_x", base_addresses={"api": localstripe_url})
    return client.v1.refunds.list(params={"payment_intent": intent_id}).data


@pytest.mark.parametrize("fault", ["drop", "delay", "error_after", "error_before"])
def test_a_faulted_refund_is_sent_under_one_key_and_paid_once(proxy, localstripe_url, fault):
    payment = _paid()
    finance = StaffFactory(roles=[Role.FINANCE])
    proxy.inject("POST", "/v1/refunds", fault)

    refund = refunds.request_refund(finance, payment.id, 4000, "requested_by_customer")

    db.session.expire_all()
    refund = db.session.get(Refund, refund.id)
    remote = _remote_refunds(localstripe_url, payment.provider_intent_id)
    assert (refund.status, len(remote), sum(r.amount for r in remote)) == (RefundStatus.SUCCEEDED, 1, 4000)
    assert db.session.get(Payment, payment.id).amount_refunded == 4000
    assert proxy.keys("POST", "/v1/refunds") == {refund.idempotency_key}
    assert refund.provider_refund_id == remote[0].id


def test_an_answer_lost_before_the_provider_is_read_back_then_sent_again(proxy, localstripe_url):
    payment = _paid()
    finance = StaffFactory(roles=[Role.FINANCE])
    proxy.inject("POST", "/v1/refunds", "error_before")
    refund = refunds.request_refund(finance, payment.id, 2500, "goodwill")
    db.session.expire_all()
    refund = db.session.get(Refund, refund.id)
    actions = db.session.scalars(
        sa.select(AuditLog.action).where(AuditLog.object_type == "refunds").order_by(AuditLog.id)
    ).all()
    assert actions == [
        "refund.requested",
        "refund.unknown",
        "refund.not_found_at_provider",
        "refund.succeeded",
    ]
    assert refund.attempts == 2
    # The read-back (a list of the intent's refunds) came between the two sends.
    calls = [(s.method, s.path) for s in proxy.seen if "/refunds" in s.path]
    assert calls == [("POST", "/v1/refunds"), ("GET", "/v1/refunds"), ("POST", "/v1/refunds")]


def test_a_refund_whose_read_back_also_fails_stays_unknown_and_is_not_sent_again(proxy, localstripe_url):
    payment = _paid()
    finance = StaffFactory(roles=[Role.FINANCE])
    proxy.inject("POST", "/v1/refunds", "drop")
    proxy.inject("GET", "/v1/refunds", "error_before")
    refund = refunds.request_refund(finance, payment.id, 3000, "goodwill")
    db.session.expire_all()
    refund = db.session.get(Refund, refund.id)
    assert refund.status == RefundStatus.UNKNOWN
    assert db.session.get(Payment, payment.id).amount_refunded == 0
    assert refunds.refundable_now(db.session.get(Payment, payment.id)) == 6000  # the unknown 3000 stays reserved
    db.session.rollback()

    # Finance's "Check with the provider": read back, found, booked; still one key and one refund.
    refunds.retry_refund(finance, refund.id)
    db.session.expire_all()
    refund = db.session.get(Refund, refund.id)
    remote = _remote_refunds(localstripe_url, payment.provider_intent_id)
    assert (refund.status, len(remote)) == (RefundStatus.SUCCEEDED, 1)
    assert db.session.get(Payment, payment.id).amount_refunded == remote[0].amount == 3000
    assert proxy.keys("POST", "/v1/refunds") == {refund.idempotency_key}


def test_a_refund_retried_after_a_refusal_keeps_its_key(proxy, localstripe_url):
    payment = _paid()
    finance = StaffFactory(roles=[Role.FINANCE])
    refund = refunds.request_refund(finance, payment.id, 1000, "goodwill")
    first_key = refund.idempotency_key
    db.session.expire_all()
    # The provider later reports it failed (as a webhook would).
    from app.payments.refund_sending import apply_refund_status, locked_refund

    _, row = locked_refund(refund.id)
    apply_refund_status(row, "failed", "The card is lost.", None)
    db.session.commit()

    refunds.retry_refund(finance, refund.id)
    db.session.expire_all()
    refund = db.session.get(Refund, refund.id)
    # Read back: the provider's refund for this row exists (succeeded at localstripe), so nothing is re-sent.
    assert refund.status == RefundStatus.SUCCEEDED
    assert proxy.keys("POST", "/v1/refunds") == {first_key}
    assert len(_remote_refunds(localstripe_url, payment.provider_intent_id)) == 1


def test_the_payment_is_not_locked_while_the_provider_is_slow(proxy, stripe_app, localstripe_url):
    import threading
    import time

    payment = _paid()
    finance = StaffFactory(roles=[Role.FINANCE])
    stripe_app.config["STRIPE_TIMEOUT_SECONDS"] = 5  # the 2.5 s delay is answered, late
    proxy.inject("POST", "/v1/refunds", "delay")
    finance_id, payment_id = finance.id, payment.id

    def refund_in_background():
        with stripe_app.app_context():
            refunds.request_refund(db.session.get(type(finance), finance_id), payment_id, 2000, "goodwill")
            db.session.remove()

    worker = threading.Thread(target=refund_in_background)
    worker.start()
    deadline = time.monotonic() + 5
    status = None
    while status != "sending" and time.monotonic() < deadline:
        time.sleep(0.05)
        with db.engine.connect() as conn:
            status = conn.scalar(sa.text("SELECT status FROM refunds WHERE payment_id = :p"), {"p": payment_id})
    with db.engine.connect() as conn:  # another request takes the payment's lock at once
        locked = conn.scalar(sa.text("SELECT id FROM payments WHERE id = :p FOR UPDATE NOWAIT"), {"p": payment_id})
        conn.rollback()
    worker.join(20)
    db.session.expire_all()
    assert (status, locked) == ("sending", payment_id)
    assert db.session.scalar(sa.select(Refund.status)) == RefundStatus.SUCCEEDED
