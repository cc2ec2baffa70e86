"""Ten simultaneous identical POST /api/payments/refund calls, five rounds: one refund each round.

Real threads, each with its own test client (own app context and database session), against
PostgreSQL and localstripe; with and without an Idempotency-Key.
"""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa
import stripe

from app.accounts import services as accounts
from app.accounts.models import Role
from app.extensions import db
from app.payments import services
from app.payments.models import Payment, Refund
from tests.factories import StaffFactory
from tests.factories.payments import HeldBookingFactory

ROUNDS, CALLS = 5, 10


def _paid() -> Payment:
    booking = HeldBookingFactory(amount=9000)
    intent = services.create_intent(booking.client, booking.id)
    return services.confirm_payment(booking.client, intent.payment.id, "pm_card_visa")


def _burst(app, headers: dict, body: dict) -> list[int]:
    """CALLS identical requests released together; their status codes."""
    barrier = threading.Barrier(CALLS)
    codes: list[int] = [0] * CALLS

    def call(i):
        client = app.test_client()
        barrier.wait()
        codes[i] = client.post("/api/payments/refund", json=body, headers=headers).status_code

    threads = [threading.Thread(target=call, args=(i,)) for i in range(CALLS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return codes


@pytest.mark.parametrize("with_key", [False, True], ids=["no-key", "same-key"])
def test_ten_identical_refund_calls_make_one_refund_five_rounds_running(stripe_app, with_key):
    finance = StaffFactory(roles=[Role.FINANCE])
    _token, plain = accounts.create_api_token(finance, "race")
    remote = stripe.StripeClient("sk_test_x", base_addresses={"api": stripe_app.config["STRIPE_API_BASE"]})
    for round_ in range(ROUNDS):
        payment = _paid()
        headers = {"Authorization": f"Bearer {plain}"}
        if with_key:
            headers["Idempotency-Key"] = f"round-{round_}"
        body = {"payment_id": payment.id, "amount": 1500, "reason": "requested_by_customer"}
        codes = _burst(stripe_app, headers, body)
        db.session.expire_all()
        rows = db.session.scalar(sa.select(sa.func.count()).select_from(Refund).where(Refund.payment_id == payment.id))
        at_stripe = remote.v1.refunds.list(params={"payment_intent": payment.provider_intent_id}).data
        refunded = db.session.get(Payment, payment.id).amount_refunded
        assert (codes, rows, len(at_stripe), refunded) == ([201] * CALLS, 1, 1, 1500), f"round {round_}"
