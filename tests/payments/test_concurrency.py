"""Concurrent refunds: our row lock and idempotency keys, not the provider, keep the money right."""

from __future__ import annotations

import threading

import sqlalchemy as sa
import stripe

from app.accounts.models import Role, User
from app.core.errors import ServiceError
from app.extensions import db
from app.payments import refunds, services
from app.payments.models import Payment, Refund
from tests.factories import StaffFactory
from tests.factories.payments import HeldBookingFactory


def _paid():
    booking = HeldBookingFactory()
    intent = services.create_intent(booking.client, booking.id)
    return services.confirm_payment(booking.client, intent.payment.id, "pm_card_visa")


def _race(app, finance_id, payment_id, requests):
    """Run each (amount, key) request in its own thread and app context, started together."""
    barrier = threading.Barrier(len(requests))
    results: list = [None] * len(requests)

    def run(i, amount, key):
        with app.app_context():
            actor = db.session.get(User, finance_id)
            barrier.wait()
            try:
                results[i] = refunds.request_refund(actor, payment_id, amount, "requested_by_customer", "", key).id
            except ServiceError as exc:
                results[i] = exc
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i, a, k)) for i, (a, k) in enumerate(requests)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


def test_same_refund_submitted_twice_concurrently_is_one_refund(stripe_app):
    payment = _paid()
    finance = StaffFactory(roles=[Role.FINANCE])
    results = _race(stripe_app, finance.id, payment.id, [(4000, "double-click"), (4000, "double-click")])
    assert results[0] == results[1] and isinstance(results[0], int)
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Refund)) == 1
    assert db.session.get(Payment, payment.id).amount_refunded == 4000
    client = stripe.StripeClient("sk_test_x", base_addresses={"api": stripe_app.config["STRIPE_API_BASE"]})
    assert len(client.v1.refunds.list(params={"payment_intent": payment.provider_intent_id}).data) == 1


def test_two_different_refunds_racing_cannot_exceed_the_payment(stripe_app):
    payment = _paid()
    finance = StaffFactory(roles=[Role.FINANCE])
    results = _race(stripe_app, finance.id, payment.id, [(6000, "a"), (6000, "b")])
    assert sum(isinstance(r, int) for r in results) == 1
    refused = [r for r in results if not isinstance(r, int)]
    assert refused[0].code == "over_refund"
    db.session.expire_all()
    assert db.session.get(Payment, payment.id).amount_refunded == 6000
