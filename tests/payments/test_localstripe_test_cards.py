"""Stripe's standard test cards against localstripe (issue 16, 11): each decline card shows the
client a decline message, the authentication card asks for 3-D Secure, and an unknown payment
method gets words for a person; never localstripe's "Not Found"."""

from __future__ import annotations

import pytest

from app.booking.models import BookingStatus
from app.extensions import db
from app.payments import services
from app.payments.models import PaymentStatus
from tests.factories.payments import HeldBookingFactory

DECLINES = [
    ("pm_card_chargeDeclined", "Your card was declined."),
    ("pm_card_chargeDeclinedInsufficientFunds", "Your card has insufficient funds."),
    ("pm_card_chargeDeclinedExpiredCard", "Your card has expired."),
    ("pm_card_chargeCustomerFail", "Your card was declined."),
]


@pytest.mark.parametrize(("method", "message"), DECLINES)
def test_a_decline_card_shows_its_decline_message(stripe_app, api, method, message):
    booking = HeldBookingFactory()
    me = api(booking.client)
    intent = me.post("/api/payments/create-intent", {"booking_id": booking.id}).json
    resp = me.post("/api/payments/confirm", {"payment_id": intent["payment_id"], "payment_method": method})
    assert resp.status_code == 200, resp.json
    assert (resp.json["status"], resp.json["failure_message"]) == ("failed", message)
    assert db.session.get(type(booking), booking.id).status == BookingStatus.HELD  # the client may try again
    ok = me.post("/api/payments/create-intent", {"booking_id": booking.id}).json
    paid = me.post("/api/payments/confirm", {"payment_id": ok["payment_id"], "payment_method": "pm_card_mastercard"})
    assert paid.json["status"] == "succeeded"


def test_the_authentication_card_asks_for_3d_secure(stripe_app):
    booking = HeldBookingFactory()
    intent = services.create_intent(booking.client, booking.id)
    payment = services.confirm_payment(booking.client, intent.payment.id, "pm_card_authenticationRequired")
    assert payment.status == PaymentStatus.REQUIRES_ACTION
    assert payment.failure_message == "Your bank asks you to authenticate this payment."


def test_an_unknown_payment_method_is_not_found_for_a_person(stripe_app, api):
    booking = HeldBookingFactory()
    me = api(booking.client)
    intent = me.post("/api/payments/create-intent", {"booking_id": booking.id}).json
    resp = me.post("/api/payments/confirm", {"payment_id": intent["payment_id"], "payment_method": "pm_nope"})
    assert resp.status_code == 400
    assert resp.json["error"]["fields"]["payment_method"] == "This card cannot be used. Please try another card."
    assert "Not Found" not in resp.get_data(as_text=True)
