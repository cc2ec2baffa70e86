"""localstripe signs and sends a real payment_intent.succeeded to our endpoint, as Stripe would
after Stripe.js confirmed the payment in the browser; the job marks our payment paid."""

from __future__ import annotations

import threading
import time
import urllib.parse
import urllib.request

import pytest
import sqlalchemy as sa
import stripe
from werkzeug.serving import make_server

from app.extensions import db
from app.payments import services
from app.payments.bookkeeping import WebhookEvent, WebhookStatus
from app.payments.models import Payment, PaymentStatus
from tests.factories.payments import HeldBookingFactory


@pytest.fixture
def served_app(stripe_app):
    """The app on a free local port (host check off while it runs)."""
    saved = stripe_app.config["SERVER_NAME"]
    stripe_app.config["SERVER_NAME"] = None
    server = make_server("127.0.0.1", 0, stripe_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    stripe_app.config["SERVER_NAME"] = saved


@pytest.fixture
def registered_webhook(localstripe_url, served_app, webhook_secret):
    """localstripe sends payment_intent.succeeded to the served app during the test, and nothing after:
    localstripe cannot delete a webhook, so it is pointed at an event that never happens."""

    def register(url: str, event: str) -> None:
        form = urllib.parse.urlencode({"url": url, "secret": webhook_secret, "events[0]": event}).encode()
        urllib.request.urlopen(urllib.request.Request(f"{localstripe_url}/_config/webhooks/coach-connect", data=form))

    register(f"{served_app}/webhooks/stripe", "payment_intent.succeeded")
    yield
    register("http://127.0.0.1:9/gone", "coach_connect.never")


def test_localstripe_webhook_confirms_the_payment(stripe_app, registered_webhook, localstripe_url):
    booking = HeldBookingFactory()
    intent = services.create_intent(booking.client, booking.id)
    # What Stripe.js does in the browser: confirm the intent at Stripe, not through our server.
    stripe_client = stripe.StripeClient("sk_test_x", base_addresses={"api": localstripe_url})
    stripe_client.v1.payment_intents.update(
        intent.payment.provider_intent_id, params={"payment_method": "pm_card_visa"}
    )
    stripe_client.v1.payment_intents.confirm(intent.payment.provider_intent_id)

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        db.session.expire_all()
        if db.session.get(Payment, intent.payment.id).status == PaymentStatus.SUCCEEDED:
            break
        time.sleep(0.2)
    payment = db.session.get(Payment, intent.payment.id)
    assert payment.status == PaymentStatus.SUCCEEDED and payment.provider_charge_id.startswith("ch_")
    # This payment's event: localstripe sends events about a second late, so one from the test
    # before (its payment gone with the wiped database) may arrive here too and fail as unknown.
    stored = db.session.scalar(sa.select(WebhookEvent).where(WebhookEvent.payment_id == payment.id))
    assert stored.type == "payment_intent.succeeded" and stored.status == WebhookStatus.PROCESSED
    assert stored.payment_id == payment.id
