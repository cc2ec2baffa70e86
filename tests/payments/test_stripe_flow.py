"""Paying and refunding through the official stripe library against localstripe."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
import stripe

from app.accounts.models import Role
from app.booking.models import BookingStatus
from app.core.errors import Conflict, InvalidState
from app.core.models import AuditLog, JobFailure, OutgoingMail
from app.extensions import db
from app.payments import refunds, services
from app.payments.models import Payment, PaymentStatus, Refund, RefundStatus
from tests.factories import StaffFactory
from tests.factories.payments import HeldBookingFactory


def _stripe(app):
    return stripe.StripeClient("sk_test_x", base_addresses={"api": app.config["STRIPE_API_BASE"]})


def _paid(app, amount=9000):
    booking = HeldBookingFactory(amount=amount)
    intent = services.create_intent(booking.client, booking.id)
    payment = services.confirm_payment(booking.client, intent.payment.id, "pm_card_visa")
    return payment


def _actions(obj_type):
    return [a for (a,) in db.session.execute(sa.select(AuditLog.action).where(AuditLog.object_type == obj_type))]


def test_create_and_confirm_intent(stripe_app):
    booking = HeldBookingFactory()
    intent = services.create_intent(booking.client, booking.id)
    again = services.create_intent(booking.client, booking.id)
    assert again.payment.id == intent.payment.id  # one open attempt per booking
    assert intent.client_secret.startswith(intent.payment.provider_intent_id)
    payment = services.confirm_payment(booking.client, intent.payment.id, "pm_card_visa")

    assert payment.status == PaymentStatus.SUCCEEDED
    assert payment.amount == 9000 and payment.currency == "EUR"
    remote = _stripe(stripe_app).v1.payment_intents.retrieve(payment.provider_intent_id)
    assert remote.status == "succeeded" and remote.amount == 9000
    assert payment.provider_charge_id.startswith("ch_")
    assert _actions("payments") == ["payment.intent_created", "payment.succeeded"]
    assert "payment_succeeded" in db.session.scalars(sa.select(OutgoingMail.template)).all()
    # Booking's job ran after the commit (inline): the booking is confirmed, nothing failed.
    db.session.expire_all()
    assert db.session.get(type(booking), booking.id).status == BookingStatus.CONFIRMED
    assert db.session.scalar(sa.select(sa.func.count()).select_from(JobFailure)) == 0


def test_declined_card_keeps_the_slot_held_and_allows_a_new_attempt(stripe_app):
    booking = HeldBookingFactory()
    intent = services.create_intent(booking.client, booking.id)
    payment = services.confirm_payment(booking.client, intent.payment.id, "pm_card_chargeCustomerFail")
    assert payment.status == PaymentStatus.FAILED
    assert payment.failure_message == "Your card was declined."
    assert db.session.get(type(booking), booking.id).status == BookingStatus.HELD
    retry = services.create_intent(booking.client, booking.id)
    assert retry.payment.id != payment.id
    assert retry.payment.idempotency_key.endswith("attempt-2")
    assert services.confirm_payment(booking.client, retry.payment.id, "pm_card_visa").status == PaymentStatus.SUCCEEDED
    with pytest.raises(InvalidState, match="confirmed, not awaiting payment"):
        services.create_intent(booking.client, booking.id)


def test_card_needing_authentication_requires_action(stripe_app):
    booking = HeldBookingFactory()
    method = _stripe(stripe_app).v1.payment_methods.create(
        params={"type": "card", "card": {"number": "4000002500003155", "exp_month": 12, "exp_year": 2034, "cvc": "123"}}
    )
    intent = services.create_intent(booking.client, booking.id)
    payment = services.confirm_payment(booking.client, intent.payment.id, method.id)
    assert payment.status == PaymentStatus.REQUIRES_ACTION


def test_full_refund(stripe_app):
    payment = _paid(stripe_app)
    finance = StaffFactory(roles=[Role.FINANCE])
    refund = refunds.request_refund(finance, payment.id, 9000, "requested_by_customer", "client asked")
    db.session.refresh(refund)
    assert refund.status == RefundStatus.SUCCEEDED and refund.provider_refund_id.startswith("re_")
    assert db.session.get(Payment, payment.id).amount_refunded == 9000
    charge = _stripe(stripe_app).v1.charges.retrieve(payment.provider_charge_id)
    assert charge.amount_refunded == 9000
    assert "payment_refunded" in db.session.scalars(sa.select(OutgoingMail.template)).all()
    assert _actions("refunds") == ["refund.requested", "refund.succeeded"]


def test_partial_refunds_until_nothing_remains_then_over_refund_is_refused(stripe_app):
    payment = _paid(stripe_app)
    finance = StaffFactory(roles=[Role.FINANCE])
    for part in (3000, 2500, 3500):
        refunds.request_refund(finance, payment.id, part, "goodwill")
    assert db.session.get(Payment, payment.id).amount_refunded == 9000
    with pytest.raises(Conflict) as err:
        refunds.request_refund(finance, payment.id, 100, "goodwill")
    assert err.value.code == "over_refund"
    assert "would exceed what remains refundable" in err.value.message and "EUR 0.00" in err.value.message
    charge = _stripe(stripe_app).v1.charges.retrieve(payment.provider_charge_id)
    assert charge.amount_refunded == 9000  # localstripe would have accepted more; our check stopped it
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Refund)) == 3


def test_over_refund_names_the_amounts(stripe_app):
    payment = _paid(stripe_app)
    finance = StaffFactory(roles=[Role.FINANCE])
    refunds.request_refund(finance, payment.id, 5000, "goodwill")
    # A second reason: the same request again within the dedupe window would be the same refund.
    with pytest.raises(Conflict, match=r"EUR 50\.00 would exceed .* EUR 40\.00 \(EUR 90\.00 paid, EUR 50\.00 refunded"):
        refunds.request_refund(finance, payment.id, 5000, "coach_no_show")
    assert len(_stripe(stripe_app).v1.refunds.list(params={"payment_intent": payment.provider_intent_id}).data) == 1


def test_same_idempotency_key_twice_is_one_refund(stripe_app):
    payment = _paid(stripe_app)
    finance = StaffFactory(roles=[Role.FINANCE])
    first = refunds.request_refund(finance, payment.id, 1000, "duplicate", idempotency_key="abc")
    second = refunds.request_refund(finance, payment.id, 1000, "duplicate", idempotency_key="abc")
    assert first.id == second.id
    with pytest.raises(Conflict, match="different refund"):
        refunds.request_refund(finance, payment.id, 2000, "duplicate", idempotency_key="abc")
    assert len(_stripe(stripe_app).v1.refunds.list(params={"payment_intent": payment.provider_intent_id}).data) == 1


def test_return_from_stripe_js_syncs_the_payment(stripe_app, client, login_as):
    booking = HeldBookingFactory()
    intent = services.create_intent(booking.client, booking.id)
    remote = _stripe(stripe_app)
    remote.v1.payment_intents.update(intent.payment.provider_intent_id, params={"payment_method": "pm_card_visa"})
    remote.v1.payment_intents.confirm(intent.payment.provider_intent_id)
    login_as(booking.client)
    page = client.get(f"/payments/{intent.payment.id}?payment_intent={intent.payment.provider_intent_id}")
    assert page.status_code == 200 and "succeeded" in page.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Payment, intent.payment.id).status == PaymentStatus.SUCCEEDED


def test_saved_methods_come_from_the_stripe_customer(stripe_app):
    from app.payments.gateways import gateway

    remote = _stripe(stripe_app)
    customer = remote.v1.customers.create(params={"email": "saved@example.org"})
    method = remote.v1.payment_methods.create(
        params={"type": "card", "card": {"number": "4242424242424242", "exp_month": 12, "exp_year": 2034, "cvc": "123"}}
    )
    remote.v1.payment_methods.attach(method.id, params={"customer": customer.id})
    saved = gateway().saved_methods("saved@example.org")
    assert [(m.brand, m.last4) for m in saved] == [("visa", "4242")]
    assert gateway().saved_methods("nobody@example.org") == []
