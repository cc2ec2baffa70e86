"""Payments a booking cannot take: their intents are cancelled, and a success that comes anyway is refunded.

A booking that is cancelled or expires, or that gets a new payment attempt, has its other open
(or declined, still confirmable at Stripe) intents cancelled at the provider. Should one succeed
regardless (an open checkout tab, a late event), `services.mark_succeeded` finds the booking
cannot take it and `refund_unusable_payment` refunds it in full, once, with its own key.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa

from app.core.effects import commit, rollback
from app.extensions import db
from app.payments.gateways import GatewayError, gateway_for
from app.payments.models import Payment, PaymentStatus, RefundReason
from app.payments.services import OPEN_STATUSES, apply_intent_result, lock_payment

log = logging.getLogger(__name__)

# Declined attempts stay confirmable at Stripe (requires_payment_method), so they are closed too.
CANCELLABLE = (*OPEN_STATUSES, PaymentStatus.FAILED)


def cancel_open_intents(booking_id: int, keep_payment_id: int | None = None) -> int:
    """Cancel the booking's open or declined intents at the provider (job); returns how many were closed."""
    stmt = sa.select(Payment.id, Payment.gateway, Payment.provider_intent_id).where(
        Payment.booking_id == booking_id,
        Payment.status.in_(CANCELLABLE),
        Payment.provider_intent_id.is_not(None),
    )
    if keep_payment_id is not None:
        stmt = stmt.where(Payment.id != keep_payment_id)
    rows = db.session.execute(stmt).all()
    rollback()
    closed = 0
    for payment_id, gateway_name, intent_id in rows:
        try:
            result = gateway_for(gateway_name).cancel_intent(intent_id)  # no lock held during the call
        except GatewayError:
            log.warning("could not cancel intent %s of payment %s; the job retries", intent_id, payment_id)
            raise
        try:
            payment = lock_payment(payment_id)
            apply_intent_result(payment, result, None)  # canceled, or a success that raced us
            closed += payment.status == PaymentStatus.CANCELLED
            commit()
        except Exception:
            rollback()
            raise
    return closed


def unusable_refund_key(payment_id: int) -> str:
    """The refund of a payment its booking could not take: one per payment."""
    return f"refund-payment-{payment_id}-unusable"


def refund_unusable_payment(payment_id: int) -> None:
    """Refund in full a success its booking could not take (system, no approval, once; job)."""
    from app.payments.refunds import request_refund

    payment = db.session.get(Payment, payment_id)
    if payment is None or payment.status != PaymentStatus.SUCCEEDED or payment.refundable <= 0:
        rollback()
        return
    other_paid = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Payment)
        .where(
            Payment.booking_id == payment.booking_id,
            Payment.status == PaymentStatus.SUCCEEDED,
            Payment.id != payment.id,
        )
    )
    reason = RefundReason.DUPLICATE if other_paid else RefundReason.SESSION_CANCELLED
    amount = payment.refundable
    rollback()
    request_refund(
        None,
        payment_id,
        amount,
        reason,
        f"Automatic refund: booking #{payment.booking_id} could not take payment #{payment_id}.",
        system=True,
        key=unusable_refund_key(payment_id),
    )
