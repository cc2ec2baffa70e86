"""The checkout page: own held bookings only, test mode offline, Stripe.js only in Stripe mode."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from app.core.db import utcnow
from app.core.models import OutgoingMail
from app.extensions import db
from app.payments.models import Payment, PaymentStatus
from tests.conftest import csrf_token_from
from tests.factories import UserFactory
from tests.factories.payments import HeldBookingFactory, PaidPaymentFactory


def test_offline_checkout_shows_test_mode_and_server_amount(client, login_as):
    booking = HeldBookingFactory()
    login_as(booking.client)
    page = client.get(f"/bookings/{booking.id}/pay").get_data(as_text=True)
    assert "Test mode: no real money moves." in page and "EUR 90.00" in page
    assert "js.stripe.com" not in page and "pm_card_visa" in page


def test_someone_elses_booking_is_not_found(client, login_as):
    booking = HeldBookingFactory()
    login_as(UserFactory())
    assert client.get(f"/bookings/{booking.id}/pay").status_code == 404


def test_paying_with_the_test_card_redirects_to_the_payment(client, login_as):
    booking = HeldBookingFactory()
    login_as(booking.client)
    token = csrf_token_from(client, f"/bookings/{booking.id}/pay")
    resp = client.post(f"/bookings/{booking.id}/pay", data={"csrf_token": token, "payment_method": "pm_card_visa"})
    payment = db.session.scalar(sa.select(Payment))
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/payments/{payment.id}")
    assert payment.status == PaymentStatus.SUCCEEDED
    assert "succeeded" in client.get(f"/payments/{payment.id}").get_data(as_text=True)
    # Paid already: the checkout sends the client to the payment instead of charging again.
    assert client.get(f"/bookings/{booking.id}/pay").status_code == 302


def test_expired_hold_cannot_be_paid(client, login_as):
    booking = HeldBookingFactory(hold_expires_at=utcnow() - timedelta(minutes=1))
    login_as(booking.client)
    token = csrf_token_from(client, f"/bookings/{booking.id}/pay")
    assert "hold on this slot has expired" in client.get(f"/bookings/{booking.id}/pay").get_data(as_text=True)
    resp = client.post(
        f"/bookings/{booking.id}/pay",
        data={"csrf_token": token, "payment_method": "pm_card_visa"},
        follow_redirects=True,
    )
    assert "hold on this slot has expired" in resp.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Payment)) == 0


def test_stripe_mode_loads_stripe_js_with_a_matching_csp(app, client, login_as):
    booking = HeldBookingFactory()
    login_as(booking.client)
    app.config.update(PAYMENT_GATEWAY="stripe", STRIPE_SECRET_KEY="sk_live_x", STRIPE_PUBLISHABLE_KEY="pk_live_x")
    try:
        resp = client.get(f"/bookings/{booking.id}/pay")
    finally:
        app.config.update(PAYMENT_GATEWAY="offline", STRIPE_SECRET_KEY=None, STRIPE_PUBLISHABLE_KEY=None)
    page = resp.get_data(as_text=True)
    assert '<script src="https://js.stripe.com/v3/"' in page and 'data-publishable-key="pk_live_x"' in page
    assert "Test mode" not in page
    assert "https://js.stripe.com" in resp.headers["Content-Security-Policy"]


def test_clients_see_only_their_own_payments(client, login_as):
    payment = PaidPaymentFactory()
    login_as(UserFactory())
    assert client.get(f"/payments/{payment.id}").status_code == 404


def test_openapi_documents_the_payment_routes(client):
    paths = client.get("/api/openapi.json").json["paths"]
    for path in ("create-intent", "confirm", "refund", "methods"):
        assert f"/api/payments/{path}" in paths
    assert set(paths["/api/payments/refund"]["post"]["responses"]) >= {"201", "202", "409"}


def _pay_with_the_authentication_card(client, booking):
    token = csrf_token_from(client, f"/bookings/{booking.id}/pay")
    return client.post(
        f"/bookings/{booking.id}/pay", data={"csrf_token": token, "payment_method": "pm_card_authenticationRequired"}
    )


def _answer_authentication(client, payment, **button):
    """Press one of the test 3-D Secure page's buttons."""
    token = csrf_token_from(client, f"/payments/{payment.id}/authenticate")
    path = f"/payments/{payment.id}/authenticate"
    return client.post(path, data={"csrf_token": token, **button}, follow_redirects=True)


def test_the_authentication_card_leads_to_a_test_3d_secure_page_that_completes_the_payment(client, login_as):
    booking = HeldBookingFactory()
    login_as(booking.client)
    resp = _pay_with_the_authentication_card(client, booking)
    payment = db.session.scalar(sa.select(Payment))
    assert (resp.status_code, resp.headers["Location"]) == (302, f"/payments/{payment.id}/authenticate")
    assert payment.status == PaymentStatus.REQUIRES_ACTION
    page = client.get(f"/payments/{payment.id}/authenticate").get_data(as_text=True)
    assert "Test mode: no real money moves." in page and "EUR 90.00" in page and "Complete authentication" in page
    resp = _answer_authentication(client, payment, complete="Complete authentication")
    db.session.refresh(payment)
    assert payment.status == PaymentStatus.SUCCEEDED and payment.provider_charge_id
    assert "Authentication complete. Payment received." in resp.get_data(as_text=True)
    assert db.session.scalars(sa.select(OutgoingMail.template)).all().count("payment_succeeded") == 1
    # Done: the page sends the client to the payment instead of asking again.
    assert client.get(f"/payments/{payment.id}/authenticate").headers["Location"] == f"/payments/{payment.id}"


def test_failing_the_test_authentication_declines_and_the_client_can_try_another_card(client, login_as):
    booking = HeldBookingFactory()
    login_as(booking.client)
    _pay_with_the_authentication_card(client, booking)
    payment = db.session.scalar(sa.select(Payment))
    resp = _answer_authentication(client, payment, fail="Fail authentication")
    db.session.refresh(payment)
    assert payment.status == PaymentStatus.FAILED
    assert "unable to authenticate your payment method" in resp.get_data(as_text=True)
    assert "Choose one of Stripe's test cards" in resp.get_data(as_text=True)  # back on the checkout, slot held
    token = csrf_token_from(client, f"/bookings/{booking.id}/pay")
    client.post(f"/bookings/{booking.id}/pay", data={"csrf_token": token, "payment_method": "pm_card_visa"})
    statuses = db.session.scalars(sa.select(Payment.status).order_by(Payment.id)).all()
    assert statuses[1:] == [PaymentStatus.SUCCEEDED]  # a new attempt (the declined one is closed at Stripe)


def test_someone_elses_authentication_page_is_not_found_and_changes_nothing(client, login_as):
    booking = HeldBookingFactory()
    login_as(booking.client)
    _pay_with_the_authentication_card(client, booking)
    payment = db.session.scalar(sa.select(Payment))
    login_as(UserFactory())
    token = csrf_token_from(client, "/payments")
    resp = client.post(f"/payments/{payment.id}/authenticate", data={"csrf_token": token, "complete": "x"})
    db.session.refresh(payment)
    assert (resp.status_code, payment.status) == (404, PaymentStatus.REQUIRES_ACTION)
