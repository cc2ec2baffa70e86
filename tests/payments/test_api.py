"""The payments JSON API with the offline gateway, and the two-person approval of big refunds."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.accounts.models import Role
from app.core.errors import PermissionDenied
from app.core.models import AuditLog
from app.extensions import db
from app.payments import refunds
from app.payments.models import Payment, PaymentStatus, Refund, RefundStatus
from tests.factories import StaffFactory, UserFactory
from tests.factories.payments import HeldBookingFactory, PaidPaymentFactory


def test_client_pays_through_the_api(api):
    booking = HeldBookingFactory()
    me = api(booking.client)
    resp = me.post("/api/payments/create-intent", {"booking_id": booking.id})
    assert resp.status_code == 200
    body = resp.json
    assert body["amount"] == 9000 and body["currency"] == "EUR" and body["test_mode"] is True
    assert body["client_secret"].startswith("pi_offline_")
    declined = me.post(
        "/api/payments/confirm", {"payment_id": body["payment_id"], "payment_method": "pm_card_chargeDeclined"}
    )
    assert declined.status_code == 200
    assert declined.json["status"] == "failed" and declined.json["failure_message"] == "Your card was declined."
    again = me.post("/api/payments/create-intent", {"booking_id": booking.id}).json
    assert again["payment_id"] != body["payment_id"]
    ok = me.post("/api/payments/confirm", {"payment_id": again["payment_id"], "payment_method": "pm_card_visa"})
    assert ok.json["status"] == "succeeded"


def test_amount_comes_from_the_server_and_others_bookings_are_hidden(api):
    booking = HeldBookingFactory()
    stranger = api(UserFactory())
    assert stranger.post("/api/payments/create-intent", {"booking_id": booking.id}).status_code == 404
    me = api(booking.client)
    resp = me.post("/api/payments/create-intent", {"booking_id": booking.id, "amount": 1})
    assert resp.status_code == 200, resp.json
    assert resp.json["amount"] == 9000
    assert (
        me.post(
            "/api/payments/confirm", {"payment_id": resp.json["payment_id"], "payment_method": "pm_nope"}
        ).status_code
        == 400
    )


def test_methods_lists_test_cards_offline(api):
    resp = api(UserFactory()).get("/api/payments/methods")
    assert resp.status_code == 200 and resp.json["test_mode"] is True
    assert resp.json["methods"][0]["last4"] == "4242"


def test_refund_api_201_409_and_idempotency_key(api):
    payment = PaidPaymentFactory(amount=9000)
    finance = api(StaffFactory(roles=[Role.FINANCE]))
    body = {"payment_id": payment.id, "amount": 4000, "reason": "requested_by_customer", "note": "asked"}
    first = finance.post("/api/payments/refund", body, {"Idempotency-Key": "k1"})
    assert first.status_code == 201 and first.json["refund"]["status"] == "succeeded"
    replay = finance.post("/api/payments/refund", body, {"Idempotency-Key": "k1"})
    assert replay.status_code == 201 and replay.json["refund"]["id"] == first.json["refund"]["id"]
    over = finance.post("/api/payments/refund", {**body, "amount": 6000}, {"Idempotency-Key": "k2"})
    assert over.status_code == 409 and over.json["error"]["code"] == "over_refund"
    assert "EUR 50.00" in over.json["error"]["message"]
    assert db.session.get(Payment, payment.id).amount_refunded == 4000
    bad = finance.post("/api/payments/refund", {**body, "reason": "because"})
    assert bad.status_code == 400 and "reason" in bad.json["error"]["fields"]


def test_refund_api_is_finance_only(api):
    payment = PaidPaymentFactory()
    body = {"payment_id": payment.id, "amount": 100, "reason": "goodwill"}
    assert api(payment.client).post("/api/payments/refund", body).status_code == 403
    assert api(StaffFactory(roles=[Role.VERIFIER])).post("/api/payments/refund", body).status_code == 403


def test_big_refund_needs_a_second_person(app, api):
    app.config["REFUND_APPROVAL_THRESHOLD"] = 5000
    try:
        payment = PaidPaymentFactory(amount=9000)
        alice = StaffFactory(roles=[Role.FINANCE])
        bob = StaffFactory(roles=[Role.ADMIN])
        resp = api(alice).post("/api/payments/refund", {"payment_id": payment.id, "amount": 6000, "reason": "goodwill"})
        assert resp.status_code == 202 and resp.json["refund"]["status"] == "pending_approval"
        refund_id = resp.json["refund"]["id"]
        assert db.session.get(Payment, payment.id).amount_refunded == 0
        # The pending one is reserved: nobody can refund past it meanwhile.
        over = api(alice).post("/api/payments/refund", {"payment_id": payment.id, "amount": 4000, "reason": "goodwill"})
        assert over.status_code == 409
        with pytest.raises(PermissionDenied, match="different finance user"):
            refunds.approve_refund(db.session.get(type(alice), alice.id), refund_id)
        refunds.approve_refund(db.session.get(type(bob), bob.id), refund_id)
        db.session.expire_all()
        refund = db.session.get(Refund, refund_id)
        assert refund.status == RefundStatus.SUCCEEDED and refund.approved_by_id == bob.id
        assert db.session.get(Payment, payment.id).amount_refunded == 6000
        actions = db.session.scalars(sa.select(AuditLog.action).where(AuditLog.object_type == "refunds")).all()
        # The requester's own approval was refused, and that refusal is on record too.
        assert actions == ["refund.requested", "refused.refund.approve", "refund.approved", "refund.succeeded"]
    finally:
        app.config["REFUND_APPROVAL_THRESHOLD"] = 20000


def test_rejected_refund_moves_no_money(app):
    app.config["REFUND_APPROVAL_THRESHOLD"] = 1000
    try:
        payment = PaidPaymentFactory(amount=9000)
        alice, bob = StaffFactory(roles=[Role.FINANCE]), StaffFactory(roles=[Role.FINANCE])
        refund = refunds.request_refund(alice, payment.id, 5000, "goodwill")
        assert refund.status == RefundStatus.PENDING_APPROVAL
        refunds.reject_refund(bob, refund.id)
        db.session.expire_all()
        assert db.session.get(Refund, refund.id).status == RefundStatus.REJECTED
        assert refunds.refundable_now(db.session.get(Payment, payment.id)) == 9000
    finally:
        app.config["REFUND_APPROVAL_THRESHOLD"] = 20000


def test_policy_refund_job_is_idempotent_and_needs_no_approval(app):
    app.config["REFUND_APPROVAL_THRESHOLD"] = 1000
    try:
        payment = PaidPaymentFactory(amount=9000)
        from workers.refunds import refund_cancelled_booking

        refund_cancelled_booking(payment.booking_id, 4500)
        refund_cancelled_booking(payment.booking_id, 4500)
        rows = db.session.scalars(sa.select(Refund)).all()
        assert (
            len(rows) == 1 and rows[0].status == RefundStatus.SUCCEEDED and rows[0].reason.value == "session_cancelled"
        )
        assert rows[0].requested_by_id is None
        assert db.session.get(Payment, payment.id).amount_refunded == 4500
    finally:
        app.config["REFUND_APPROVAL_THRESHOLD"] = 20000


def test_failed_refund_is_visible_and_retryable(app, monkeypatch):
    from app.payments.gateways import GatewayError
    from app.payments.gateways.offline import OfflineGateway

    payment = PaidPaymentFactory(amount=9000)
    finance = StaffFactory(roles=[Role.FINANCE])

    def refuse(self, *args, **kwargs):
        raise GatewayError("Charge has already been refunded.")

    monkeypatch.setattr(OfflineGateway, "create_refund", refuse)
    refund = refunds.request_refund(finance, payment.id, 1000, "goodwill")
    db.session.refresh(refund)
    assert refund.status == RefundStatus.FAILED and "already been refunded" in refund.failure_message
    assert db.session.get(Payment, payment.id).amount_refunded == 0
    monkeypatch.undo()
    refunds.retry_refund(finance, refund.id)
    db.session.expire_all()
    assert db.session.get(Refund, refund.id).status == RefundStatus.SUCCEEDED
    assert db.session.get(Payment, payment.id).amount_refunded == 1000
    assert db.session.get(Payment, payment.id).status == PaymentStatus.SUCCEEDED
