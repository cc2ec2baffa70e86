"""Currencies with 0 and 3 decimals (JPY, KWD): what the coach types is what the page shows, what
Stripe charges and refunds, and what finance filters and reports (issue 16 item 10)."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
import stripe

from app.accounts.models import Role
from app.booking.models import SessionType
from app.extensions import db
from app.payments import refunds, services
from app.payments.models import Refund, RefundStatus
from tests.conftest import csrf_token_from
from tests.factories import StaffFactory
from tests.factories.booking import bookable_coach
from tests.factories.payments import HeldBookingFactory, PaidPaymentFactory, SessionTypeFactory


def _remote(app):
    return stripe.StripeClient("sk_test_x", base_addresses={"api": app.config["STRIPE_API_BASE"]})


@pytest.mark.parametrize(
    ("currency", "typed", "stored", "shown"), [("JPY", "5000", 5000, "JPY 5,000"), ("KWD", "12.5", 12500, "KWD 12.500")]
)
def test_a_coach_prices_a_session_in_the_currencys_own_units(client, login_as, currency, typed, stored, shown):
    coach, _ = bookable_coach(days=[], currency=currency)
    login_as(coach.user)
    token = csrf_token_from(client, "/coach/availability")
    data = {"csrf_token": token, "name": "Intro call", "duration_minutes": 30, "price": typed}
    assert client.post("/coach/session-types", data=data).status_code == 302
    assert db.session.scalar(sa.select(SessionType.price_amount).where(SessionType.name == "Intro call")) == stored
    assert shown in client.get("/coach/availability").get_data(as_text=True)


def test_a_price_with_more_decimals_than_the_currency_is_refused(client, login_as):
    coach, _ = bookable_coach(days=[], currency="JPY")
    login_as(coach.user)
    token = csrf_token_from(client, "/coach/availability")
    data = {"csrf_token": token, "name": "Intro call", "duration_minutes": 30, "price": "5000.50"}
    resp = client.post("/coach/session-types", data=data)
    assert resp.status_code == 400 and "Prices in JPY take at most 0 decimals." in resp.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).where(SessionType.name == "Intro call")) == 0


@pytest.mark.parametrize(("currency", "price"), [("JPY", 5000), ("KWD", 12500)])
def test_stripe_charges_and_refunds_the_amount_in_its_units(stripe_app, currency, price):
    session_type = SessionTypeFactory(price_amount=price, currency=currency, coach__currency=currency)
    booking = HeldBookingFactory(session_type=session_type)
    intent = services.create_intent(booking.client, booking.id)
    payment = services.confirm_payment(booking.client, intent.payment.id, "pm_card_visa")
    remote = _remote(stripe_app).v1.payment_intents.retrieve(payment.provider_intent_id)
    assert (remote.amount, remote.currency) == (price, currency.lower())

    refund = refunds.request_refund(StaffFactory(roles=[Role.FINANCE]), payment.id, price // 5, "goodwill")
    db.session.expire_all()
    refund = db.session.get(Refund, refund.id)
    assert refund.status == RefundStatus.SUCCEEDED
    assert _remote(stripe_app).v1.refunds.retrieve(refund.provider_refund_id).amount == price // 5


def test_finance_refunds_a_kwd_payment_in_fils(client, login_as):
    payment = PaidPaymentFactory(amount=12500, currency="KWD", booking__currency="KWD")
    login_as(StaffFactory(roles=[Role.FINANCE]))
    page = client.get(f"/staff/finance/payments/{payment.id}").get_data(as_text=True)
    assert 'value="12.500"' in page and "KWD 12.500" in page  # the form offers what remains, in dinars
    token = csrf_token_from(client, f"/staff/finance/payments/{payment.id}")
    review = client.post(
        f"/staff/finance/payments/{payment.id}/refund",
        data={"csrf_token": token, "amount": "1.250", "reason": "goodwill", "note": ""},
    ).get_data(as_text=True)
    assert "KWD 1.250" in review and "KWD 11.250" in review
    fields = dict(re.findall(r'name="(\w+)" type="hidden" value="([^"]*)"', review))
    assert client.post(f"/staff/finance/payments/{payment.id}/refund/confirm", data=fields).status_code == 302
    assert db.session.scalars(sa.select(Refund.amount)).all() == [1250]


def test_the_finance_amount_filter_reads_each_payments_currency(client, login_as):
    yen = PaidPaymentFactory(amount=5000, currency="JPY", booking__currency="JPY")
    euro = PaidPaymentFactory(amount=5000, currency="EUR")  # EUR 50.00
    login_as(StaffFactory(roles=[Role.FINANCE]))
    page = client.get("/staff/finance/?amount_min=1000").get_data(as_text=True)
    assert f"/staff/finance/payments/{yen.id}" in page and f"/staff/finance/payments/{euro.id}" not in page
    assert "JPY 5,000" in page
