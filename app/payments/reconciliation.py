"""Reconciliation with Stripe (issue 16): our payments and refunds against Stripe's objects.

For every Stripe payment touched in the last `days` days (the payment or one of its refunds
changed), the intent and the intent's refunds are read from Stripe and compared with our rows:
whether the payment succeeded, its amount and currency, each refund (known on both sides, same
amount, same settled status) and the total refunded. Each difference becomes an open
ReconciliationItem (a finance queue) showing both sides; the same open difference is not added
twice, nor one finance accepted as is (app/payments/reconciliation_items.py). Runs hourly from
the clock (`flask payments reconcile`) and from finance's button.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import sqlalchemy as sa

from app.core import audit
from app.core.db import utcnow
from app.core.effects import commit, rollback
from app.core.errors import PermissionDenied, ValidationFailed
from app.core.jobs import enqueue_after_commit
from app.core.roles import FINANCE_ROLES
from app.extensions import db
from app.payments.bookkeeping import ReconciliationItem
from app.payments.gateways import GatewayError, IntentResult, RefundResult, gateway_for
from app.payments.models import Payment, PaymentStatus, Refund, RefundStatus
from app.payments.reconciliation_items import accepted_alike

log = logging.getLogger(__name__)

DEFAULT_DAYS = 7
MAX_DAYS = 90
SETTLED = {RefundStatus.SUCCEEDED: "succeeded", RefundStatus.FAILED: "failed"}


def start_reconciliation(actor, days: int = DEFAULT_DAYS) -> None:
    """Finance's button: audit the request and run the reconciliation as a job."""
    if actor is None or not actor.has_role(*FINANCE_ROLES):
        raise PermissionDenied("Only finance staff and admins run the reconciliation.")
    if not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise ValidationFailed(f"Reconcile 1 to {MAX_DAYS} days.", fields={"days": f"1 to {MAX_DAYS}"})
    audit.record(actor, "reconciliation.requested", actor, after={"days": days})
    enqueue_after_commit("workers.payments.reconcile_payments", days, queue="payments")
    commit()


def _touched_since(since) -> list[int]:
    refunded = sa.select(Refund.payment_id).where(Refund.updated_at >= since)
    return list(
        db.session.scalars(
            sa.select(Payment.id)
            .where(
                Payment.gateway == "stripe",
                Payment.provider_intent_id.is_not(None),
                sa.or_(Payment.updated_at >= since, Payment.id.in_(refunded)),
            )
            .order_by(Payment.id)
        )
    )


def reconcile_payments(days: int = DEFAULT_DAYS) -> int:
    """Compare every Stripe payment touched in the last `days` days; returns the new differences."""
    payment_ids = _touched_since(utcnow() - timedelta(days=days))
    rollback()
    found = unread = 0
    for payment_id in payment_ids:
        payment = db.session.get(Payment, payment_id)
        gw = gateway_for(payment.gateway)
        try:
            intent = gw.retrieve_intent(payment.provider_intent_id)
            remote = gw.list_refunds(payment.provider_intent_id)
        except GatewayError:
            log.warning("reconciliation: payment %s could not be read from Stripe", payment_id)
            unread += 1
            rollback()
            continue
        for kind, refund, provider_refund_id, ours, theirs in differences(payment, intent, remote):
            found += _add_item(payment, kind, refund, provider_refund_id, ours, theirs)
        commit()
    log.info(
        "reconciliation: %d payments over %d days, %d new differences, %d unread", len(payment_ids), days, found, unread
    )
    return found


def _payment_side(payment: Payment) -> dict:
    return {
        "status": payment.status.value,
        "amount": payment.amount,
        "currency": payment.currency,
        "refunded": payment.amount_refunded,
    }


def _intent_side(intent: IntentResult, refunded: int) -> dict:
    return {"status": intent.status, "amount": intent.amount, "currency": intent.currency, "refunded": refunded}


def _refund_side(refund: Refund | None) -> dict:
    if refund is None:
        return {"refund": None}
    return {
        "refund": refund.id,
        "stripe_id": refund.provider_refund_id,
        "status": refund.status.value,
        "amount": refund.amount,
    }


def _remote_side(remote: RefundResult | None) -> dict:
    if remote is None:
        return {"refund": None}
    return {"refund": remote.id, "status": remote.status, "amount": remote.amount}


def differences(payment: Payment, intent: IntentResult, remote: list[RefundResult]):
    """(kind, our refund, Stripe's refund id, ours, theirs) for each way the two books differ."""
    refunded = sum(r.amount or 0 for r in remote if r.status == "succeeded")
    ours, theirs = _payment_side(payment), _intent_side(intent, refunded)
    if (payment.status == PaymentStatus.SUCCEEDED) != (intent.status == "succeeded"):
        yield "payment_status", None, None, ours, theirs
    if (intent.amount, intent.currency) != (payment.amount, payment.currency):
        yield "payment_amount", None, None, ours, theirs
    if refunded != payment.amount_refunded:
        yield "refunded_total", None, None, ours, theirs
    by_provider = {r.provider_refund_id: r for r in payment.refunds if r.provider_refund_id}
    by_id = {r.id: r for r in payment.refunds}
    matched: set[int] = set()
    for there in remote:
        here = by_provider.get(there.id) or by_id.get(there.refund_id)
        if here is None:
            yield "refund_unknown_here", None, there.id, _refund_side(None), _remote_side(there)
            continue
        matched.add(here.id)
        if here.provider_refund_id != there.id:
            yield "refund_provider_id", here, there.id, _refund_side(here), _remote_side(there)
        if there.amount is not None and there.amount != here.amount:
            yield "refund_amount", here, there.id, _refund_side(here), _remote_side(there)
        settled_here = SETTLED.get(here.status)
        settled_there = "failed" if there.status == "canceled" else there.status
        if settled_here and settled_there in ("succeeded", "failed") and settled_here != settled_there:
            yield "refund_status", here, there.id, _refund_side(here), _remote_side(there)
    for here in payment.refunds:
        if here.status == RefundStatus.SUCCEEDED and here.id not in matched:
            yield "refund_missing_at_stripe", here, here.provider_refund_id, _refund_side(here), _remote_side(None)


def _add_item(payment: Payment, kind: str, refund, provider_refund_id, ours: dict, theirs: dict) -> int:
    """An open item for this difference, unless the same one is open already; returns 1 if added."""
    open_same = db.session.scalar(
        sa.select(ReconciliationItem.id).where(
            ReconciliationItem.payment_id == payment.id,
            ReconciliationItem.kind == kind,
            ReconciliationItem.refund_id.is_(None) if refund is None else ReconciliationItem.refund_id == refund.id,
            ReconciliationItem.provider_refund_id.is_(None)
            if provider_refund_id is None
            else ReconciliationItem.provider_refund_id == provider_refund_id,
            ReconciliationItem.resolved_at.is_(None),
        )
    )
    if open_same is not None or accepted_alike(
        payment.id, kind, getattr(refund, "id", None), provider_refund_id, ours, theirs
    ):
        return 0
    item = ReconciliationItem(
        payment_id=payment.id,
        refund_id=refund.id if refund is not None else None,
        provider_refund_id=provider_refund_id,
        kind=kind,
        ours=ours,
        theirs=theirs,
        found_at=utcnow(),
    )
    db.session.add(item)
    db.session.flush()
    audit.record(None, "reconciliation.difference", item, after={"kind": kind, "ours": ours, "theirs": theirs})
    log.warning("reconciliation: payment %s differs from Stripe (%s)", payment.id, kind)
    return 1
