"""POST /webhooks/stripe signed as Stripe signs: good, bad, missing, stale, duplicate, out of order."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa

from app.accounts.models import Role
from app.core.models import AuditLog, OutgoingMail
from app.extensions import db
from app.payments import services
from app.payments.bookkeeping import WebhookEvent, WebhookStatus
from app.payments.models import Payment, PaymentStatus, Refund, RefundStatus
from tests.conftest import csrf_token_from
from tests.factories import StaffFactory
from tests.factories.payments import HeldBookingFactory, PaidPaymentFactory
from tests.payments.conftest import event, sign


def _post(client, body: bytes, signature: str | None):
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers["Stripe-Signature"] = signature
    return client.post("/webhooks/stripe", data=body, headers=headers)


def _open_payment():
    booking = HeldBookingFactory()
    return services.create_intent(booking.client, booking.id).payment


def _count(model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _succeeded(payment, event_id="evt_ok"):
    return event(
        event_id,
        "payment_intent.succeeded",
        {
            "id": payment.provider_intent_id,
            "object": "payment_intent",
            "status": "succeeded",
            "latest_charge": "ch_wh1",
        },
    )


def test_good_signature_is_stored_and_processed(client, webhook_secret):
    payment = _open_payment()
    body = _succeeded(payment)
    resp = _post(client, body, sign(body))
    assert resp.status_code == 200 and resp.json == {"received": True, "duplicate": False}
    stored = db.session.scalar(sa.select(WebhookEvent))
    assert stored.status == WebhookStatus.PROCESSED and stored.payment_id == payment.id
    db.session.expire_all()
    paid = db.session.get(Payment, payment.id)
    assert paid.status == PaymentStatus.SUCCEEDED and paid.provider_charge_id == "ch_wh1"


def test_bad_missing_and_stale_signatures_write_nothing(client, webhook_secret):
    payment = _open_payment()
    body = _succeeded(payment)
    assert _post(client, body, sign(body, secret="whsec_wrong")).status_code == 400
    assert _post(client, body, None).status_code == 400
    assert _post(client, body, sign(body, timestamp=int(time.time()) - 600)).status_code == 400
    tampered = body.replace(b"ch_wh1", b"ch_xxx")
    assert _post(client, tampered, sign(body)).status_code == 400
    assert _count(WebhookEvent) == 0
    assert db.session.get(Payment, payment.id).status == PaymentStatus.REQUIRES_PAYMENT


def test_duplicate_delivery_is_acknowledged_not_reprocessed(client, webhook_secret):
    payment = _open_payment()
    body = _succeeded(payment)
    assert _post(client, body, sign(body)).json["duplicate"] is False
    resp = _post(client, body, sign(body))
    assert resp.status_code == 200 and resp.json["duplicate"] is True
    assert _count(WebhookEvent) == 1
    successes = db.session.scalar(
        sa.select(sa.func.count()).select_from(AuditLog).where(AuditLog.action == "payment.succeeded")
    )
    assert successes == 1
    templates = db.session.scalars(sa.select(OutgoingMail.template)).all()
    assert templates.count("payment_succeeded") == 1  # (plus Booking's one confirmation per party)


def test_late_failure_after_success_changes_nothing(client, webhook_secret):
    payment = _open_payment()
    ok = _succeeded(payment, "evt_1")
    failed = event(
        "evt_2",
        "payment_intent.payment_failed",
        {
            "id": payment.provider_intent_id,
            "object": "payment_intent",
            "last_payment_error": {"message": "Your card was declined."},
        },
        created=int(time.time()) - 60,
    )
    assert _post(client, ok, sign(ok)).status_code == 200
    assert _post(client, failed, sign(failed)).status_code == 200
    db.session.expire_all()
    assert db.session.get(Payment, payment.id).status == PaymentStatus.SUCCEEDED
    assert {e.status for e in db.session.scalars(sa.select(WebhookEvent))} == {WebhookStatus.PROCESSED}


def test_event_before_the_payment_exists_fails_then_retries_from_the_console(client, webhook_secret, login_as):
    body = event("evt_early", "payment_intent.succeeded", {"id": "pi_not_yet", "object": "payment_intent"})
    assert _post(client, body, sign(body)).status_code == 200
    stored = db.session.scalar(sa.select(WebhookEvent))
    assert stored.status == WebhookStatus.FAILED and "No payment matches" in stored.error
    payment = _open_payment()
    db.session.execute(sa.update(Payment).where(Payment.id == payment.id).values(provider_intent_id="pi_not_yet"))
    db.session.commit()
    finance = StaffFactory(roles=[Role.FINANCE])
    login_as(finance)
    page = client.get("/staff/finance/approvals").get_data(as_text=True)
    assert "evt_early" in page
    token = csrf_token_from(client, "/staff/finance/approvals")
    resp = client.post(f"/staff/finance/webhooks/{stored.id}/retry", data={"csrf_token": token})
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(WebhookEvent, stored.id).status == WebhookStatus.PROCESSED
    assert db.session.get(Payment, payment.id).status == PaymentStatus.SUCCEEDED


def test_refund_events_in_any_order_count_once(client, webhook_secret):
    payment = PaidPaymentFactory(amount=9000)
    refund_obj = {
        "id": "re_dash1",
        "object": "refund",
        "amount": 2000,
        "status": "succeeded",
        "payment_intent": payment.provider_intent_id,
        "charge": payment.provider_charge_id,
    }
    charge_refunded = event(
        "evt_r2",
        "charge.refunded",
        {"id": payment.provider_charge_id, "object": "charge", "refunds": {"data": [refund_obj]}},
    )
    updated = event("evt_r1", "refund.updated", refund_obj)
    for body in (charge_refunded, updated, charge_refunded):
        assert _post(client, body, sign(body)).status_code == 200
    db.session.expire_all()
    assert db.session.get(Payment, payment.id).amount_refunded == 2000
    refund = db.session.scalar(sa.select(Refund))
    assert refund.status == RefundStatus.SUCCEEDED and refund.provider_refund_id == "re_dash1"
    failed = event(
        "evt_r3", "charge.refund.updated", {**refund_obj, "status": "failed", "failure_reason": "lost_or_stolen_card"}
    )
    assert _post(client, failed, sign(failed)).status_code == 200
    db.session.expire_all()
    assert db.session.get(Payment, payment.id).amount_refunded == 0
    assert db.session.get(Refund, refund.id).status == RefundStatus.FAILED


def test_dispute_flags_the_payment(client, webhook_secret):
    payment = PaidPaymentFactory()
    body = event(
        "evt_d1",
        "charge.dispute.created",
        {
            "id": "dp_1",
            "object": "dispute",
            "charge": payment.provider_charge_id,
            "amount": 9000,
            "reason": "fraudulent",
        },
    )
    assert _post(client, body, sign(body)).status_code == 200
    db.session.expire_all()
    assert db.session.get(Payment, payment.id).is_disputed is True
    assert db.session.scalar(sa.select(AuditLog.action).where(AuditLog.action == "payment.disputed"))


def test_unknown_event_types_are_ignored(client, webhook_secret):
    body = event("evt_c1", "customer.created", {"id": "cus_1", "object": "customer"})
    assert _post(client, body, sign(body)).status_code == 200
    assert db.session.scalar(sa.select(WebhookEvent.status)) == WebhookStatus.IGNORED


def test_processing_runs_as_an_rq_job(app, client, webhook_secret, redis_url):
    from redis import Redis
    from rq import Queue, SimpleWorker

    from app.core.jobs import RQJobs

    payment = _open_payment()
    inline = app.extensions["jobs"]
    app.extensions["jobs"] = RQJobs(redis_url)
    try:
        body = _succeeded(payment, "evt_rq")
        assert _post(client, body, sign(body)).status_code == 200
        assert db.session.scalar(sa.select(WebhookEvent.status)) == WebhookStatus.PENDING
        connection = Redis.from_url(redis_url)
        SimpleWorker([Queue("webhooks", connection=connection)], connection=connection).work(burst=True)
    finally:
        app.extensions["jobs"] = inline
        Redis.from_url(redis_url).flushdb()  # the mail and booking jobs it queued are not this test's
    db.session.expire_all()
    assert db.session.scalar(sa.select(WebhookEvent.status)) == WebhookStatus.PROCESSED
    assert db.session.get(Payment, payment.id).status == PaymentStatus.SUCCEEDED


@pytest.mark.parametrize(
    "body",
    [
        b'{"type": "payment_intent.succeeded", "data": {"object": {}}}',
        b'{"id": null, "type": "payment_intent.succeeded", "data": {"object": {}}}',
        b'{"id": "evt_no_type", "data": {"object": {}}}',
        b'{"id": "' + b"e" * 81 + b'", "type": "payment_intent.succeeded"}',
        b'["evt_list"]',
    ],
)
def test_a_signed_event_without_a_usable_id_is_refused_with_400(client, webhook_secret, body):
    """Issue 16, 11: a signed event with no id answered 500."""
    resp = _post(client, body, sign(body))
    assert resp.status_code == 400 and resp.json["error"]["code"] == "malformed_event"
    assert _count(WebhookEvent) == 0
