"""Reconciliation against localstripe (issue 16): nothing on a clean run; every injected
difference, with both sides, on a dirty one; the same difference is not listed twice; finance's
button runs it (role checked, audited) and the page shows it."""

from __future__ import annotations

import sqlalchemy as sa
import stripe

from app.accounts.models import Role
from app.core.models import AuditLog
from app.extensions import db
from app.payments import refunds, services
from app.payments.bookkeeping import ReconciliationItem
from app.payments.gateways import gateway_for
from app.payments.models import Payment, PaymentStatus, Refund, RefundStatus
from app.payments.reconciliation import reconcile_payments
from tests.factories import StaffFactory
from tests.factories.payments import HeldBookingFactory


def _paid(amount=9000) -> Payment:
    booking = HeldBookingFactory(amount=amount)
    intent = services.create_intent(booking.client, booking.id)
    return services.confirm_payment(booking.client, intent.payment.id, "pm_card_visa")


def _refunded(finance, amount=2000) -> tuple[Payment, Refund]:
    payment = _paid()
    refund = refunds.request_refund(finance, payment.id, amount, "goodwill")
    db.session.expire_all()
    assert db.session.get(Refund, refund.id).status == RefundStatus.SUCCEEDED
    return db.session.get(Payment, payment.id), db.session.get(Refund, refund.id)


def _items() -> set[tuple[int, str]]:
    db.session.expire_all()
    return {(i.payment_id, i.kind) for i in db.session.scalars(sa.select(ReconciliationItem))}


def test_a_clean_run_finds_nothing(stripe_app):
    finance = StaffFactory(roles=[Role.FINANCE])
    _paid()
    _refunded(finance)
    assert reconcile_payments(7) == 0
    assert _items() == set()


def test_a_dirty_run_finds_every_injected_difference_with_both_sides(stripe_app, localstripe_url, client, login):
    finance = StaffFactory(roles=[Role.FINANCE])
    remote = stripe.StripeClient("sk_test_x", base_addresses={"api": localstripe_url})

    unknown_here = _paid()  # a refund made at Stripe (the dashboard), not in our books
    made_there = remote.v1.refunds.create(params={"payment_intent": unknown_here.provider_intent_id, "amount": 1500})

    missing_there, ghost = _refunded(finance)  # our books say refunded; Stripe has no such refund
    ghost.provider_refund_id, ghost_stripe_id = "re_not_at_stripe", ghost.provider_refund_id

    status_differs, failed_here = _refunded(finance)  # Stripe succeeded, our books say failed
    failed_here.status, status_differs.amount_refunded = RefundStatus.FAILED, 0

    amount_differs = _paid()
    amount_differs.amount = 8000  # Stripe charged 9000

    booking = HeldBookingFactory(amount=9000)  # paid at Stripe, ours still open
    intent = services.create_intent(booking.client, booking.id)
    gateway_for("stripe").confirm_intent(intent.payment.provider_intent_id, "pm_card_visa", idempotency_key="x1")
    unpaid_here = db.session.get(Payment, intent.payment.id)
    db.session.commit()
    assert unpaid_here.status == PaymentStatus.REQUIRES_PAYMENT

    expected = {
        (unknown_here.id, "refund_unknown_here"),
        (unknown_here.id, "refunded_total"),
        (missing_there.id, "refund_provider_id"),
        (status_differs.id, "refund_status"),
        (status_differs.id, "refunded_total"),
        (amount_differs.id, "payment_amount"),
        (unpaid_here.id, "payment_status"),
    }
    assert reconcile_payments(7) == len(expected)
    assert _items() == expected

    item = db.session.scalar(sa.select(ReconciliationItem).where(ReconciliationItem.kind == "refund_unknown_here"))
    assert item.ours == {"refund": None}
    assert (item.theirs["refund"], item.theirs["amount"]) == (made_there.id, 1500)
    item = db.session.scalar(sa.select(ReconciliationItem).where(ReconciliationItem.kind == "refund_provider_id"))
    assert (item.ours["stripe_id"], item.theirs["refund"]) == ("re_not_at_stripe", ghost_stripe_id)
    item = db.session.scalar(sa.select(ReconciliationItem).where(ReconciliationItem.kind == "payment_amount"))
    assert (item.ours["amount"], item.theirs["amount"]) == (8000, 9000)

    assert reconcile_payments(7) == 0  # the same open differences are not listed again
    assert len(_items()) == len(expected)

    login(finance)
    page = client.get("/staff/finance/reconciliation").get_data(as_text=True)
    assert "refund unknown here" in page and made_there.id in page and "re_not_at_stripe" in page


def test_a_refund_booked_here_that_stripe_never_made(stripe_app):
    finance = StaffFactory(roles=[Role.FINANCE])
    payment, refund = _refunded(finance)
    ghost = Refund(
        payment_id=payment.id,
        amount=500,
        currency=payment.currency,
        reason=refund.reason,
        status=RefundStatus.SUCCEEDED,
        idempotency_key=f"ghost-{payment.id}",
        provider_refund_id="re_ghost",
    )
    db.session.add(ghost)
    payment.amount_refunded += 500
    db.session.commit()
    assert reconcile_payments(7) == 2
    assert _items() == {(payment.id, "refund_missing_at_stripe"), (payment.id, "refunded_total")}


def test_finance_button_runs_it_audited_and_others_are_refused(stripe_app, client, login):
    finance = StaffFactory(roles=[Role.FINANCE])
    unknown_here = _paid()
    unknown_here.amount = 1
    db.session.commit()
    login(finance)
    page = client.get("/staff/finance/reconciliation").get_data(as_text=True)
    assert "No differences" in page
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    resp = client.post("/staff/finance/reconciliation/run", data={"csrf_token": token})
    assert resp.status_code == 302
    assert _items() == {(unknown_here.id, "payment_amount")}
    actions = db.session.scalars(
        sa.select(AuditLog.action).where(AuditLog.action.like("reconciliation.%")).order_by(AuditLog.id)
    ).all()
    assert actions == ["reconciliation.requested", "reconciliation.difference"]
