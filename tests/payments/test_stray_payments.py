"""A booking never keeps a charge it cannot take: closed bookings' intents are cancelled at
localstripe, and a success that arrives anyway (another tab, a late event) is refunded at once.
"""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
import stripe

from app.booking import services as booking_services
from app.booking.models import Booking, BookingStatus
from app.core.models import AuditLog
from app.extensions import db
from app.payments import services
from app.payments.models import Payment, PaymentStatus, Refund, RefundReason, RefundStatus
from tests.factories.payments import HeldBookingFactory
from tests.payments.conftest import event, sign
from tests.payments.faulty_proxy import running_proxy


def _stripe(app):
    return stripe.StripeClient("sk_test_x", base_addresses={"api": app.config["STRIPE_API_BASE"]})


def _pay_elsewhere(app, intent_id: str) -> None:
    """The client's other checkout tab confirms the intent straight at Stripe (Stripe.js)."""
    remote = _stripe(app)
    remote.v1.payment_intents.update(intent_id, params={"payment_method": "pm_card_visa"})
    remote.v1.payment_intents.confirm(intent_id)


def _audit(action: str) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(AuditLog).where(AuditLog.action == action))


def test_cancelling_a_held_booking_cancels_its_intent_at_stripe(stripe_app):
    booking = HeldBookingFactory()
    intent = services.create_intent(booking.client, booking.id)
    booking_services.cancel_booking(db.session.get(Booking, booking.id), booking.client, "changed my mind")
    db.session.expire_all()
    remote = _stripe(stripe_app).v1.payment_intents.retrieve(intent.payment.provider_intent_id)
    payment = db.session.get(Payment, intent.payment.id)
    assert (remote.status, payment.status) == ("canceled", PaymentStatus.CANCELLED)
    with pytest.raises(stripe.InvalidRequestError):  # the open tab can no longer pay
        _pay_elsewhere(stripe_app, intent.payment.provider_intent_id)


def test_an_expired_hold_cancels_its_intent_at_stripe(stripe_app):
    booking = HeldBookingFactory()
    intent = services.create_intent(booking.client, booking.id)
    db.session.get(Booking, booking.id).hold_expires_at = booking.created_at
    db.session.commit()
    assert booking_services.expire_holds() == 1
    remote = _stripe(stripe_app).v1.payment_intents.retrieve(intent.payment.provider_intent_id)
    assert remote.status == "canceled"


def test_a_success_that_beat_the_cancellation_is_refunded_in_full(stripe_app):
    booking = HeldBookingFactory(amount=9000)
    intent = services.create_intent(booking.client, booking.id)
    _pay_elsewhere(stripe_app, intent.payment.provider_intent_id)  # our app has not heard yet
    booking_services.cancel_booking(db.session.get(Booking, booking.id), booking.client, "")
    db.session.expire_all()
    payment = db.session.get(Payment, intent.payment.id)
    refund = db.session.scalar(sa.select(Refund))
    charge = _stripe(stripe_app).v1.charges.retrieve(payment.provider_charge_id)
    assert (payment.status, db.session.get(Booking, booking.id).status) == (
        PaymentStatus.SUCCEEDED,
        BookingStatus.CANCELLED,
    )
    assert (refund.status, refund.amount, refund.reason) == (
        RefundStatus.SUCCEEDED,
        9000,
        RefundReason.SESSION_CANCELLED,
    )
    assert (charge.amount_refunded, payment.amount_refunded, _audit("payment.unusable")) == (9000, 9000, 1)


def test_a_declined_attempt_is_cancelled_at_stripe_when_a_new_attempt_starts(stripe_app):
    booking = HeldBookingFactory()
    first = services.create_intent(booking.client, booking.id).payment
    services.confirm_payment(booking.client, first.id, "pm_card_chargeCustomerFail")
    services.create_intent(booking.client, booking.id)
    remote = _stripe(stripe_app).v1.payment_intents.retrieve(first.provider_intent_id)
    assert remote.status == "canceled"


def _post_event(client, event_id: str, type_: str, obj: dict):
    body = event(event_id, type_, obj)
    headers = {"Content-Type": "application/json", "Stripe-Signature": sign(body)}
    assert client.post("/webhooks/stripe", data=body, headers=headers).status_code == 200


def test_a_late_success_of_an_old_attempt_is_refunded_not_kept(stripe_app, localstripe_url, client, webhook_secret):
    """Attempt 1 is declined in the browser (Stripe.js; we hear it by webhook), attempt 2 pays, then the
    old tab pays attempt 1 after all. (localstripe cannot re-confirm an intent whose charge failed, so
    the decline reaches us as Stripe's payment_failed event instead of a failed localstripe charge.)"""
    booking = HeldBookingFactory(amount=9000)
    first = services.create_intent(booking.client, booking.id).payment
    declined = {
        "id": first.provider_intent_id,
        "object": "payment_intent",
        "status": "requires_payment_method",
        "last_payment_error": {"message": "Your card was declined."},
    }
    _post_event(client, "evt_declined_1", "payment_intent.payment_failed", declined)
    assert db.session.get(Payment, first.id).status == PaymentStatus.FAILED
    with running_proxy(localstripe_url) as proxy:  # the cancellation of attempt 1 does not get through
        stripe_app.config["STRIPE_API_BASE"] = proxy.url
        for _ in range(3):  # the call and the library's two retries
            proxy.inject("POST", f"/v1/payment_intents/{first.provider_intent_id}/cancel", "error_before")
        second = services.create_intent(booking.client, booking.id).payment
        stripe_app.config["STRIPE_API_BASE"] = localstripe_url
    _pay_elsewhere(stripe_app, first.provider_intent_id)  # the old tab pays attempt 1
    services.confirm_payment(booking.client, second.id, "pm_card_visa")
    # Stripe's late payment_intent.succeeded for attempt 1 arrives.
    late = _stripe(stripe_app).v1.payment_intents.retrieve(first.provider_intent_id)
    _post_event(client, "evt_late_1", "payment_intent.succeeded", json.loads(json.dumps(late.to_dict())))

    db.session.expire_all()
    paid = db.session.scalars(sa.select(Payment).where(Payment.status == PaymentStatus.SUCCEEDED)).all()
    refund = db.session.scalar(sa.select(Refund))
    first_charge = _stripe(stripe_app).v1.charges.retrieve(db.session.get(Payment, first.id).provider_charge_id)
    assert len(paid) == 2 and db.session.get(Booking, booking.id).status == BookingStatus.CONFIRMED
    assert (refund.payment_id, refund.amount, refund.status, refund.reason) == (
        first.id,
        9000,
        RefundStatus.SUCCEEDED,
        RefundReason.DUPLICATE,
    )
    assert (first_charge.amount_refunded, db.session.get(Payment, second.id).amount_refunded) == (9000, 0)
