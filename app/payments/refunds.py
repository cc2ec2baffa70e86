"""Refunds: requested by finance (or by the cancellation policy), approved above a threshold,
submitted to the gateway in a job, and kept in step with the provider's answers and webhooks.

What remains refundable is computed from OUR rows under a lock on the payment, so neither a
double submit nor a provider that accepts over-refunds (localstripe) can refund too much.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from app.core import audit, duties
from app.core.db import utcnow
from app.core.effects import rollback, transaction
from app.core.errors import Conflict, InvalidState, NotFound, PermissionDenied, ValidationFailed
from app.core.jobs import enqueue_after_commit
from app.core.money import format_money
from app.core.roles import FINANCE_ROLES
from app.extensions import db
from app.payments.models import Payment, PaymentStatus, Refund, RefundReason, RefundStatus
from app.payments.refund_sending import IN_FLIGHT, locked_refund, snapshot
from app.payments.services import lock_payment

log = logging.getLogger(__name__)

RESERVED = (RefundStatus.PENDING_APPROVAL, *IN_FLIGHT)
# Without an Idempotency-Key, the same refund (payment, amount, reason, requester) asked for again
# within this window is the same refund: a double click, a resubmitted form, a client's retry.
DEDUPE_WINDOW = timedelta(minutes=10)


def reserved_amount(payment_id: int) -> int:
    """Sum of refunds requested, being sent or of unknown outcome (not yet succeeded or failed)."""
    stmt = sa.select(sa.func.coalesce(sa.func.sum(Refund.amount), 0)).where(
        Refund.payment_id == payment_id, Refund.status.in_(RESERVED)
    )
    return int(db.session.scalar(stmt))


def refundable_now(payment: Payment) -> int:
    """Paid minus refunded minus refunds in flight."""
    return payment.amount - payment.amount_refunded - reserved_amount(payment.id)


def client_refund_key(payment_id: int, client_key: str) -> str:
    """Our idempotency key for a client's Idempotency-Key (hashed: any length, any characters)."""
    return f"refund-{payment_id}-k-{hashlib.sha256(client_key.encode()).hexdigest()[:32]}"


def _same_request(payment_id: int, amount: int, reason: RefundReason, actor) -> Refund | None:
    """An identical refund asked for within DEDUPE_WINDOW that may still pay out (payment lock held)."""
    requester = getattr(actor, "id", None)
    stmt = sa.select(Refund).where(
        Refund.payment_id == payment_id,
        Refund.amount == amount,
        Refund.reason == reason,
        Refund.requested_by_id.is_(None) if requester is None else Refund.requested_by_id == requester,
        Refund.status.not_in((RefundStatus.FAILED, RefundStatus.REJECTED)),
        Refund.created_at >= utcnow() - DEDUPE_WINDOW,
    )
    return db.session.scalars(stmt.order_by(Refund.id)).first()


def _row_key(payment_id: int) -> str:
    """A key from our own rows, taken under the payment's lock: the payment and its refund count."""
    count = db.session.scalar(sa.select(sa.func.count()).select_from(Refund).where(Refund.payment_id == payment_id))
    return f"refund-{payment_id}-n{count + 1}"


def _require_finance(actor) -> None:
    if actor is None or not actor.has_role(*FINANCE_ROLES):
        raise PermissionDenied("Only finance staff and admins handle refunds.")


def _refuse_own(actor, payment: Payment, attempted: str, obj=None) -> None:
    """Nobody issues or decides a refund of their own payment (admins included); the refusal is audited."""
    if payment.is_paid_by(actor):
        message = "This payment is yours: another finance user must handle its refund."
        raise duties.refuse(actor, attempted, obj or payment, message)


def request_refund(
    actor,
    payment_id: int,
    amount,
    reason,
    note: str = "",
    idempotency_key: str | None = None,
    *,
    system: bool = False,
    key: str | None = None,
) -> Refund:
    """Refund all or part of a payment; the same request twice gives the same refund.

    actor None with system=True is the cancellation policy (no approval step).
    """
    if not system:
        _require_finance(actor)
    try:
        reason = RefundReason(reason)
    except ValueError as exc:
        raise ValidationFailed("Choose a refund reason.", fields={"reason": "Unknown reason."}) from exc
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise ValidationFailed(
            "The amount must be a positive whole number of minor units.", fields={"amount": "Invalid."}
        )
    if key is None and idempotency_key:
        key = client_refund_key(payment_id, idempotency_key)
    with transaction():
        payment = lock_payment(payment_id)
        if payment is None:
            raise NotFound("No such payment.")
        if key is None:
            existing = _same_request(payment.id, amount, reason, actor)
            if existing is not None:
                rollback()
                return existing
        existing = key and db.session.scalar(sa.select(Refund).where(Refund.idempotency_key == key))
        if existing:
            if existing.payment_id != payment.id or existing.amount != amount:
                raise Conflict(
                    "This Idempotency-Key was already used for a different refund.", code="idempotency_mismatch"
                )
            rollback()
            return existing
        if not system:
            _refuse_own(actor, payment, "refund.request")
        if payment.status != PaymentStatus.SUCCEEDED:
            raise InvalidState("Only a succeeded payment can be refunded.")
        remaining = refundable_now(payment)
        if amount > remaining:
            money = lambda v: format_money(v, payment.currency)  # noqa: E731
            raise Conflict(
                f"A refund of {money(amount)} would exceed what remains refundable on payment #{payment.id}: "
                f"{money(remaining)} ({money(payment.amount)} paid, {money(payment.amount_refunded)} refunded, "
                f"{money(payment.amount - payment.amount_refunded - remaining)} in progress).",
                code="over_refund",
                fields={"amount": f"At most {money(remaining)}."},
            )
        needs_approval = not system and amount > current_app.config["REFUND_APPROVAL_THRESHOLD"]
        refund = Refund(
            payment_id=payment.id,
            amount=amount,
            currency=payment.currency,
            reason=reason,
            note=(note or "").strip(),
            status=RefundStatus.PENDING_APPROVAL if needs_approval else RefundStatus.PENDING,
            idempotency_key=key or _row_key(payment.id),
            requested_by_id=getattr(actor, "id", None),
        )
        db.session.add(refund)
        db.session.flush()
        audit.record(actor, "refund.requested", refund, after={**snapshot(refund), "payment_id": payment.id})
        if not needs_approval:
            enqueue_after_commit("workers.refunds.submit_refund", refund.id, queue="payments")
        return refund


def _awaiting_approval(actor, refund_id: int, attempted: str) -> Refund:
    """The refund locked (its payment first), refused unless it awaits approval or if the payment is the actor's."""
    payment, refund = locked_refund(refund_id)
    if refund.status != RefundStatus.PENDING_APPROVAL:
        raise InvalidState(f"This refund is {refund.status.value}, not awaiting approval.")
    _refuse_own(actor, payment, attempted, refund)
    return refund


def approve_refund(actor, refund_id: int) -> Refund:
    """A second finance/admin user approves a refund above the threshold."""
    _require_finance(actor)
    with transaction():
        refund = _awaiting_approval(actor, refund_id, "refund.approve")
        if refund.was_requested_by(actor):
            raise duties.refuse(
                actor, "refund.approve", refund, "A different finance user must approve a refund you requested."
            )
        before = snapshot(refund)
        refund.transition_to(RefundStatus.PENDING)
        refund.approved_by_id = actor.id
        audit.record(actor, "refund.approved", refund, before=before, after=snapshot(refund))
        enqueue_after_commit("workers.refunds.submit_refund", refund.id, queue="payments")
        return refund


def reject_refund(actor, refund_id: int, note: str = "") -> Refund:
    """Refuse a refund awaiting approval; nothing is paid back."""
    _require_finance(actor)
    with transaction():
        refund = _awaiting_approval(actor, refund_id, "refund.reject")
        before = snapshot(refund)
        refund.transition_to(RefundStatus.REJECTED)
        refund.approved_by_id = actor.id
        audit.record(actor, "refund.rejected", refund, before=before, after={**snapshot(refund), "note": note})
        return refund


def retry_refund(actor, refund_id: int) -> Refund:
    """Settle a failed or unknown refund again: read it back from the provider, send it only if absent.

    The resend uses the refund's own idempotency key, as every send of it does.
    """
    _require_finance(actor)
    with transaction():
        payment, refund = locked_refund(refund_id)
        if not refund.can_be_retried:
            raise InvalidState(f"Only a failed or unknown refund can be retried; this one is {refund.status.value}.")
        if refund.status == RefundStatus.FAILED and refund.amount > refundable_now(payment):
            raise Conflict("Not enough remains refundable on this payment to retry this refund.", code="over_refund")
        before = snapshot(refund)
        if refund.status == RefundStatus.FAILED:
            refund.transition_to(RefundStatus.UNKNOWN)
        refund.failure_message = None
        audit.record(actor, "refund.retried", refund, before=before, after=snapshot(refund))
        enqueue_after_commit("workers.refunds.reconcile_refund", refund.id, queue="payments")
        return refund


def refund_for_cancellation(booking_id: int, amount: int) -> Refund | None:
    """The cancellation policy's refund for a booking (system actor, no approval, once per booking)."""
    payment = db.session.scalar(
        sa.select(Payment)
        .where(Payment.booking_id == booking_id, Payment.status == PaymentStatus.SUCCEEDED)
        .order_by(Payment.id.desc())
    )
    if payment is None or amount <= 0:
        log.info("no refund for booking %s (amount %s, paid: %s)", booking_id, amount, payment is not None)
        return None
    key = f"refund-booking-{booking_id}-cancelled"
    existing = db.session.scalar(sa.select(Refund).where(Refund.idempotency_key == key))
    if existing is not None:
        return existing
    amount = min(amount, refundable_now(payment))
    if amount <= 0:
        log.warning("booking %s: nothing left to refund on payment %s", booking_id, payment.id)
        return None
    return request_refund(
        None,
        payment.id,
        amount,
        RefundReason.SESSION_CANCELLED,
        f"Cancellation policy refund for booking #{booking_id}",
        system=True,
        key=key,
    )
